package dev.profileservice.cli.internal;

import picocli.CommandLine.Command;

/** {@code profiles unpin KEY --version V}: hands a pinned version back to the retention settings. */
@Command(
        name = "unpin",
        description = "Unpin a kept version of a profile: pruning may delete it again by age or count.")
public final class UnpinCommand extends PinningCommand {
    public UnpinCommand() {
        super(false);
    }
}
