package dev.profileservice.cli.internal;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} alone, as a picocli {@code @Mixin}, for the commands that take a
 * {@code --version V} (a version of a profile) and those that sit next to them: picocli's
 * {@code mixinStandardHelpOptions} would also bring {@code -V, --version} (the tool's version),
 * which would take that name, or answer {@code profiles history KEY --version} with the tool's version.
 */
final class HelpOption {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;
}
