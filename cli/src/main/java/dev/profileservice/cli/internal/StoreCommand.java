package dev.profileservice.cli.internal;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * What every admin command is: a command on one profile store, named by the {@link StoreOptions}
 * it mixes in ({@code --store}, {@code --profile-store}, {@code --json}), that returns its exit
 * code. Runs on the command's thread.
 */
abstract class StoreCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;
}
