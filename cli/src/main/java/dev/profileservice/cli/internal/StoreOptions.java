package dev.profileservice.cli.internal;

import dev.profileservice.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every admin command shares, as a picocli {@code @Mixin}: the options {@code --store URI},
 * {@code --profile-store NAME} and {@code --json}, opening the store they name, and printing the
 * answer as readable text or as JSON. Used by the command's thread.
 */
public final class StoreOptions {

    /** The command this is mixed into, for its output writers. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--store",
            required = true,
            paramLabel = "URI",
            description =
                    "The store: sqlite:PATH, postgresql://host:port/db?user=..., mariadb://..., mysql://..., redis://host:port")
    String uri;

    @Option(
            names = {"-s", "--profile-store"},
            required = true,
            paramLabel = "NAME",
            description = "The profile store name, as given to getProfileStore (e.g. PlayerData)")
    String profileStore;

    @Option(names = "--json", description = "Print JSON instead of readable text")
    boolean json;

    /** The profile store name. */
    public String profileStore() {
        return profileStore;
    }

    /**
     * Opens the store (for a command that may create the profile store).
     *
     * @throws BadInputException for a bad profile store name or an unknown URI scheme
     */
    public AdminSession open() {
        return AdminSession.open(this);
    }

    /**
     * Opens the store and checks that the profile store has profiles, which catches a mistyped name.
     *
     * @throws BadInputException as {@link #open()}, or if the profile store has no profiles
     */
    public AdminSession openExisting() {
        AdminSession session = open();
        try {
            session.requireStoreExists();
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Standard output of this invocation. */
    public PrintWriter out() {
        return command.commandLine().getOut();
    }

    /** Standard error of this invocation. */
    public PrintWriter err() {
        return command.commandLine().getErr();
    }

    /**
     * Asks {@code question} on standard output and reads one line of the tool's standard input: true
     * if it is y or yes (any case). The commands that delete or overwrite ask this unless {@code --yes}.
     */
    public boolean confirmed(String question) {
        PrintWriter w = out();
        w.print(question);
        w.flush();
        Main main = (Main) command.root().userObject();
        try {
            String answer = new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).readLine();
            if (answer == null) {
                w.println(); // end of input: end the question's line
                w.flush();
                return false;
            }
            return answer.strip().toLowerCase(Locale.ROOT).matches("y|yes");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints the answer on standard output: see {@link #print(PrintWriter, Supplier, Consumer)}. */
    public void print(Supplier<?> json, Consumer<PrintWriter> text) {
        print(out(), json, text);
    }

    /** Prints the answer to {@code to}: with {@code --json} the value {@code json} gives, on one line; else {@code text}. Flushes. */
    public void print(PrintWriter to, Supplier<?> json, Consumer<PrintWriter> text) {
        if (this.json) {
            to.println(Json.write(json.get()));
        } else {
            text.accept(to);
        }
        to.flush();
    }
}
