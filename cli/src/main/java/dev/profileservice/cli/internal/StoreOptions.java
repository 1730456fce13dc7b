package dev.profileservice.cli.internal;

import picocli.CommandLine.Option;

/** {@code --store URI}, {@code --profile-store NAME} and {@code --json}, shared by every admin command. */
public final class StoreOptions {

    @Option(names = "--store", required = true, paramLabel = "URI",
            description = "The store: sqlite:PATH, postgresql://host:port/db?user=..., mariadb://..., mysql://..., redis://host:port")
    String uri;

    @Option(names = {"-s", "--profile-store"}, required = true, paramLabel = "NAME",
            description = "The profile store name, as given to getProfileStore (e.g. PlayerData)")
    String profileStore;

    @Option(names = "--json", description = "Print JSON instead of readable text")
    boolean json;

    /** The store URI as given. */
    public String uri() {
        return uri;
    }

    /** The profile store name. */
    public String profileStore() {
        return profileStore;
    }

    /** Whether to print JSON. */
    public boolean json() {
        return json;
    }
}
