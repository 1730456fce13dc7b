package dev.profileservice.cli.internal;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the commands on one kept version of a profile share ({@code pin}, {@code unpin},
 * {@code restore}): {@code --version V}, checked before the store is touched, and a store that
 * keeps versions.
 */
abstract class KeptVersionCommand extends OneProfileCommand {

    @Mixin
    HelpOption help;

    @Option(
            names = "--version",
            required = true,
            paramLabel = "V",
            description = "The kept version id, as 'profiles history' lists it")
    String version;

    @Override
    void checkStore(AdminSession session) {
        Versions.parse(version);
        session.history();
    }

    /** The version asked for, as a revision. */
    long revision() {
        return Versions.parse(version);
    }
}
