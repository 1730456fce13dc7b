package dev.profileservice.cli;

import dev.profileservice.ProfileServiceException;
import dev.profileservice.cli.internal.BadInputException;
import dev.profileservice.cli.internal.ConsoleCommand;
import dev.profileservice.cli.internal.DiffCommand;
import dev.profileservice.cli.internal.DurationConverter;
import dev.profileservice.cli.internal.EditCommand;
import dev.profileservice.cli.internal.ExportCommand;
import dev.profileservice.cli.internal.GiftCommand;
import dev.profileservice.cli.internal.HistoryCommand;
import dev.profileservice.cli.internal.ImportCommand;
import dev.profileservice.cli.internal.MigrateCommand;
import dev.profileservice.cli.internal.PinCommand;
import dev.profileservice.cli.internal.ReleaseCommand;
import dev.profileservice.cli.internal.RestoreCommand;
import dev.profileservice.cli.internal.ServerNodeCommand;
import dev.profileservice.cli.internal.SessionsCommand;
import dev.profileservice.cli.internal.SimulateCommand;
import dev.profileservice.cli.internal.UnpinCommand;
import dev.profileservice.cli.internal.ViewCommand;
import dev.profileservice.cli.internal.WipeCommand;
import dev.profileservice.spi.BackendException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code profiles} command-line tool: {@code profiles simulate} (a multi-process network
 * simulation with real faults that checks the store afterwards) and the admin commands
 * {@code view}, {@code gift}, {@code sessions}, {@code release}, {@code wipe}, {@code export} and
 * {@code import}, and those of the version history: {@code history}, {@code diff}, {@code restore},
 * {@code pin} and {@code unpin}; the bulk tools {@code migrate} and {@code edit}; and the web admin
 * console, {@code console}.
 *
 * <p>Exit codes: 0 success; 1 a check failed, the store failed, or a wipe or restore was not
 * confirmed; 2 bad input (unknown store scheme, missing key, malformed JSON, unknown profile store,
 * unknown version, a store without version history, bad option), in which case nothing was written.
 *
 * <p>Everything runs on the calling thread except the simulation, which starts its own threads and
 * child processes (see {@code profiles simulate --help}), and the console, whose requests run on
 * its web server's threads while the calling thread waits for Ctrl-C.
 */
@Command(
        name = "profiles",
        mixinStandardHelpOptions = true,
        version = "profiles 0.1.0",
        description = "ProfileService for Java: simulate a game-server network on your store, and administer profiles.",
        subcommands = {
            SimulateCommand.class,
            ViewCommand.class,
            GiftCommand.class,
            SessionsCommand.class,
            ReleaseCommand.class,
            WipeCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            HistoryCommand.class,
            DiffCommand.class,
            RestoreCommand.class,
            PinCommand.class,
            UnpinCommand.class,
            MigrateCommand.class,
            EditCommand.class,
            ConsoleCommand.class,
            ServerNodeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    /** Exit code for bad input: nothing was written. */
    public static final int EXIT_BAD_INPUT = 2;

    private InputStream stdin = System.in;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Runs the tool and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.exit(commandLine(System.in).execute(args));
    }

    /**
     * A configured command line reading confirmations from {@code stdin}. Set its out/err writers
     * with {@link CommandLine#setOut}/{@link CommandLine#setErr} to capture output (tests do).
     */
    public static CommandLine commandLine(InputStream stdin) {
        Main main = new Main();
        main.stdin = stdin;
        CommandLine cl = new CommandLine(main);
        cl.registerConverter(Duration.class, new DurationConverter()); // 500ms, 3s, ... for every Duration option
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        // no @argument files: 'edit --patch @FILE' reads FILE itself, which picocli would otherwise split into
        // arguments
        cl.setExpandAtFiles(false);
        return cl;
    }

    /** Standard input of this invocation (for confirmations). */
    public InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        if (ex instanceof BadInputException || ex instanceof IllegalArgumentException) {
            err.println(name + ": error: " + oneLine(ex.getMessage()));
            err.flush();
            return EXIT_BAD_INPUT;
        }
        if (ex instanceof BackendException || ex instanceof ProfileServiceException) {
            err.println(name + ": store error: " + oneLine(ex.getMessage()));
            err.flush();
            return 1;
        }
        err.println(name + ": failed: " + oneLine(String.valueOf(ex)));
        err.flush();
        return 1;
    }

    private static int handleParameterException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName();
        err.println(name + ": error: " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
        err.flush();
        return EXIT_BAD_INPUT;
    }

    static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
