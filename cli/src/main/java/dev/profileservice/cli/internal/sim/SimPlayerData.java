package dev.profileservice.cli.internal.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The data of one simulated player, as saved in the store. Public fields so the engine's encoder
 * (Jackson) reads and writes them directly.
 */
public final class SimPlayerData {
    /** Number of edits ("moves") ever made; each session continues the count it loaded. */
    public long edits;
    /** Wall-clock millis of the last edit. */
    public long lastEditAt;
    /** Coins: start at 0, gifts add to them. */
    public long coins;
    /** Ids of every gift applied, in order; a gift applied twice appears twice. */
    public List<String> gifts = new ArrayList<>();

    public SimPlayerData() {}
}
