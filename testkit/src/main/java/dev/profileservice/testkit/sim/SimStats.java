package dev.profileservice.testkit.sim;

/** Counts of what a seed did, summed over a run of seeds. Not thread-safe: one per seed or per worker thread. */
final class SimStats {
    long loads;
    long edits;
    long releases;
    long gifts;
    long crashes;
    long pauses;
    long adminReleases;
    long adminRollbacks;
    long faultChanges;
    long tasks;
    long virtualMillis;

    void add(SimStats o) {
        loads += o.loads;
        edits += o.edits;
        releases += o.releases;
        gifts += o.gifts;
        crashes += o.crashes;
        pauses += o.pauses;
        adminReleases += o.adminReleases;
        adminRollbacks += o.adminRollbacks;
        faultChanges += o.faultChanges;
        tasks += o.tasks;
        virtualMillis += o.virtualMillis;
    }

    @Override
    public String toString() {
        return loads + " loads, " + edits + " edits, " + releases + " releases, " + gifts + " gifts, " + crashes
                + " crashes, " + pauses + " pauses, " + adminReleases + " operator releases, " + adminRollbacks
                + " rollbacks, " + faultChanges
                + " fault changes, " + tasks + " engine tasks, " + virtualMillis / 1000 + " s virtual time";
    }
}
