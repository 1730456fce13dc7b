package dev.profileservice.cli.internal;

import dev.profileservice.cli.internal.console.ConsoleServer;
import dev.profileservice.cli.internal.console.ConsoleSettings;
import dev.profileservice.cli.internal.console.ConsoleTokens;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code profiles console --store URI}: the web admin console ({@link ConsoleServer}). Prints its URL
 * and, unless one was given, a fresh random access token, then serves until the process is
 * interrupted (Ctrl-C), when it stops the server and closes the store. The command's thread only
 * waits; Javalin's handler threads serve the requests.
 */
@Command(
        name = "console",
        description = {
            "Start the web admin console on 127.0.0.1:8080: browse profile stores and keys, view profiles,"
                    + " history, diffs and sessions; restore, gift, release, wipe and erase.",
            "Every page and API call needs the access token printed at start (or --token, or the environment"
                    + " variable " + ConsoleSettings.TOKEN_ENV + "): a browser logs in with it once, a script sends"
                    + " 'Authorization: Bearer TOKEN'. Every write is recorded in the audit log."
        })
public final class ConsoleCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--store",
            required = true,
            paramLabel = "URI",
            description = "The store: sqlite:PATH, postgresql://..., mariadb://..., mysql://..., redis://...")
    String uri;

    @Option(
            names = {"-s", "--profile-store"},
            paramLabel = "NAME",
            description = "A profile store the start page offers (repeatable); others can be typed there")
    List<String> stores = new ArrayList<>();

    @Option(
            names = "--address",
            paramLabel = "ADDR",
            description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only)")
    String address = ConsoleSettings.DEFAULT_ADDRESS;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "The port (default: ${DEFAULT-VALUE}; 0 for any free port)")
    int port = ConsoleSettings.DEFAULT_PORT;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "The access token (at least 16 characters; default: the environment variable "
                    + ConsoleSettings.TOKEN_ENV + ", else a random one, printed)")
    String token;

    @Option(names = "--read-only", description = "Hide and refuse every write (403)")
    boolean readOnly;

    @Option(
            names = "--audit-log",
            paramLabel = "FILE",
            description = "The append-only JSON-lines file every write is recorded in (default: ${DEFAULT-VALUE})")
    Path auditLog = Path.of("profiles-console-audit.jsonl");

    @Override
    public Integer call() throws InterruptedException {
        String given = token != null ? token : System.getenv(ConsoleSettings.TOKEN_ENV);
        String source = token != null ? "--token" : given != null ? ConsoleSettings.TOKEN_ENV : null;
        String chosen = given != null ? given : ConsoleTokens.random();
        ConsoleSettings settings;
        try {
            settings = new ConsoleSettings(address, port, chosen, readOnly, auditLog, stores);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        AdminSession session = AdminSession.open(uri, "console");
        ConsoleServer server;
        try {
            stores.forEach(session::forStore); // a bad name is bad input, before anything is served
            server = ConsoleServer.start(session, settings);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "profiles-console-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println(
                "profiles console: " + server.url() + " on " + session.maskedUri() + (readOnly ? " (read-only)" : ""));
        out.println(
                source == null
                        ? "access token: " + chosen + "   (log in at " + server.url()
                                + "login, or send 'Authorization: Bearer TOKEN')"
                        : "access token: from " + source);
        if (!isLoopback(address)) {
            out.println(
                    "warning: listening on " + address + ", beyond this machine: anyone who reaches it needs only the"
                            + " token, sent in clear over plain HTTP; put it behind a TLS proxy");
        }
        out.println("audit log: " + auditLog.toAbsolutePath() + "; stop with Ctrl-C");
        out.flush();
        stopped.await();
        return 0;
    }

    private static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
    }
}
