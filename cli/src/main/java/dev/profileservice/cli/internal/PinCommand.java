package dev.profileservice.cli.internal;

import picocli.CommandLine.Command;

/** {@code profiles pin KEY --version V}: keeps a version whatever the retention settings say. */
@Command(
        name = "pin",
        description = "Pin a kept version of a profile: pruning never deletes it (see 'profiles history').")
public final class PinCommand extends PinningCommand {
    public PinCommand() {
        super(true);
    }
}
