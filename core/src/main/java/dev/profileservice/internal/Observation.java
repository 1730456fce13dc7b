package dev.profileservice.internal;

import dev.profileservice.ProfileServiceObserver;
import dev.profileservice.ProfileServiceObserver.LoadOutcome;
import dev.profileservice.ProfileServiceObserver.SaveOutcome;
import dev.profileservice.spi.VersionCause;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of a {@link ProfileServiceObserver}: every call guarded so that a throwing
 * observer is logged and ignored, and nothing done (no time read, no call) when the service has
 * none ({@link #on} false). Call sites read {@link #nanos()} at the start of what they time and
 * pass it back at the end.
 */
final class Observation {
    private static final Logger LOG = LoggerFactory.getLogger(Observation.class);

    /** No observer: every method returns at once. */
    static final Observation OFF = new Observation(null, Clock.systemUTC());

    /** Whether an observer is set. */
    final boolean on;

    private final ProfileServiceObserver observer;
    private final Clock clock;
    private final boolean systemClock;
    private final AtomicBoolean warned = new AtomicBoolean();

    Observation(ProfileServiceObserver observer, Clock clock) {
        this.observer = observer;
        this.on = observer != null;
        this.clock = clock;
        this.systemClock = clock.equals(Clock.systemUTC()) || clock.equals(Clock.systemDefaultZone());
    }

    /** Now, for durations: {@link System#nanoTime()} on the system clock, else the injected clock's millis in nanos; 0 when off. */
    long nanos() {
        if (!on) {
            return 0;
        }
        return systemClock ? System.nanoTime() : clock.millis() * 1_000_000L;
    }

    private long since(long start) {
        return Math.max(0, nanos() - start);
    }

    void started(ProfileServiceObserver.ServiceState state) {
        if (on) {
            guard("started", () -> observer.started(state));
        }
    }

    void storeOpened(String store) {
        if (on) {
            guard("storeOpened", () -> observer.storeOpened(store));
        }
    }

    void loadFinished(String store, LoadOutcome outcome, long start) {
        if (on) {
            long d = since(start);
            guard("loadFinished", () -> observer.loadFinished(store, outcome, d));
        }
    }

    void handOverWaited(String store, long heldSince) {
        if (on) {
            long d = since(heldSince);
            guard("handOverWaited", () -> observer.handOverWaited(store, d));
        }
    }

    void saveFinished(String store, SaveOutcome outcome, long start) {
        if (on) {
            long d = since(start);
            guard("saveFinished", () -> observer.saveFinished(store, outcome, d));
        }
    }

    void batchWritten(int size) {
        if (on) {
            guard("batchWritten", () -> observer.batchWritten(size));
        }
    }

    void sessionEnded(String store, boolean lost) {
        if (on) {
            guard("sessionEnded", () -> observer.sessionEnded(store, lost));
        }
    }

    void giftsSent(String store, int count) {
        if (on && count > 0) {
            guard("giftsSent", () -> observer.giftsSent(store, count));
        }
    }

    void giftLocked(String store, long seenAt) {
        if (on) {
            long d = since(seenAt);
            guard("giftLocked", () -> observer.giftLocked(store, d));
        }
    }

    void giftCleared(String store) {
        if (on) {
            guard("giftCleared", () -> observer.giftCleared(store));
        }
    }

    void issue() {
        if (on) {
            guard("issue", observer::issue);
        }
    }

    void corruption(String store) {
        if (on) {
            guard("corruption", () -> observer.corruption(store));
        }
    }

    void versionWritten(String store, VersionCause cause) {
        if (on) {
            String name = cause.name().toLowerCase(Locale.ROOT);
            guard("versionWritten", () -> observer.versionWritten(store, name));
        }
    }

    void closed() {
        if (on) {
            guard("closed", observer::closed);
        }
    }

    /** Runs one observer call; what it throws is logged (WARN the first time, then DEBUG) and dropped. */
    private void guard(String method, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | LinkageError | AssertionError e) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("ProfileServiceObserver {} threw; ignored (further failures are logged at DEBUG)", method, e);
            } else {
                LOG.debug("ProfileServiceObserver {} threw; ignored", method, e);
            }
        }
    }

    /**
     * The kind of store, from how the backend describes itself (a masked URI such as
     * {@code sqlite:/srv/profiles.db} or {@code redis-sentinel://...}, or a phrase such as
     * {@code postgresql DataSource HikariDataSource}): its first word, as one of the kinds the
     * observer documents.
     */
    static String backendKind(String description) {
        if (description == null) {
            return "other";
        }
        String d = description.trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < d.length() && (Character.isLetterOrDigit(d.charAt(end)) || d.charAt(end) == '-')) {
            end++;
        }
        String word = d.substring(0, end);
        return switch (word) {
            case "sqlite", "memory" -> word;
            case "postgresql", "postgres" -> "postgresql";
            case "mariadb", "mysql" -> "mariadb";
            case "redis", "rediss", "redis-sentinel", "redis-cluster" -> "redis";
            default -> "other";
        };
    }
}
