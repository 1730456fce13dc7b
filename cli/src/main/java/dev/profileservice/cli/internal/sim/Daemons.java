package dev.profileservice.cli.internal.sim;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulation's own threads, in the parent and in the server children: all daemons, so that a
 * part that hangs never keeps a JVM alive after its main thread is done. Called on whichever thread
 * creates the threads.
 */
final class Daemons {
    private Daemons() {}

    /** A daemon thread named {@code name} that runs {@code r}; not started. */
    static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A factory of daemon threads named {@code name-1}, {@code name-2}, ... */
    static ThreadFactory numbered(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> thread(r, name + "-" + n.incrementAndGet());
    }
}
