package dev.profileservice.spi;

/**
 * Which clock a {@link Backend} judges leases by. Every judgement "has this server's lease run
 * out?" is made with this one clock, inside the store operation ({@link Backend#heartbeat} stores
 * {@code now + lease}, {@link Backend#server} answers {@code expiry - now}), never by comparing a
 * time one process wrote with another process's clock. So servers whose clocks drift apart (a VM
 * after a suspend, a broken NTP) still agree on who is alive.
 */
public enum LeaseClock {
    /**
     * The store server's own clock, read inside the statement or script ({@code clock_timestamp()},
     * {@code NOW(6)}, Redis {@code TIME}): PostgreSQL, MariaDB/MySQL, Redis.
     */
    STORE,
    /**
     * The clock of the host the store lives on, read by whichever process runs the operation; right
     * for embedded stores that every process reaches on one host (SQLite).
     */
    HOST,
    /**
     * A clock given to the backend in-process (the {@code memory:} store takes the clock of the
     * service that opened it, so tests can run leases in virtual time).
     */
    SERVICE
}
