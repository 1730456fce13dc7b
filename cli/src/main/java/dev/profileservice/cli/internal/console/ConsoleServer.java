package dev.profileservice.cli.internal.console;

import dev.profileservice.DataModelException;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.cli.internal.AdminSession;
import dev.profileservice.cli.internal.BadInputException;
import dev.profileservice.cli.internal.Json;
import dev.profileservice.spi.BackendException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web admin console ({@code profiles console}): Javalin on Jetty, bound to loopback unless told
 * otherwise, pages rendered from jte templates, every action done by the same admin-layer classes
 * as the {@code profiles} commands ({@link Pages} reads, {@link Actions} writes).
 *
 * <h2>Security</h2>
 * Every request but {@code /login} and {@code /static/*} needs the access token ({@link Auth}):
 * a bearer header, or the session cookie a browser got by logging in with it. Writes are POSTs,
 * refused across sites and without the session's CSRF token, and all refused in read-only mode.
 * Every page sets a strict Content-Security-Policy (scripts only from {@code /static}), no framing,
 * no referrer to other sites. Writes are recorded in the {@link AuditLog} before they go to the store. The store URI
 * is only ever shown masked.
 *
 * <h2>Threads</h2>
 * Requests run on Jetty's handler threads (Javalin's pool); each handler calls the store on that
 * thread through the shared {@link AdminSession} (the backend is thread-safe; gifts and views go
 * through one {@code ProfileService}, whose own I/O threads do the store calls). {@link #close()}
 * stops the server, then closes the store.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);

    private final Javalin app;
    private final AdminSession session;
    private final ConsoleSettings settings;

    private ConsoleServer(Javalin app, AdminSession session, ConsoleSettings settings) {
        this.app = app;
        this.session = session;
        this.settings = settings;
    }

    /**
     * Starts a console on {@code session}'s store; the console owns the session from here on and
     * closes it with {@link #close()}.
     *
     * @throws java.io.UncheckedIOException if the audit log cannot be opened
     */
    public static ConsoleServer start(AdminSession session, ConsoleSettings settings) {
        AuditLog audit = new AuditLog(settings.auditLog());
        audit.open();
        Auth auth = new Auth(settings.token(), settings.readOnly());
        Templates templates = new Templates();
        Pages pages = new Pages(session, settings, auth, audit, templates);
        Actions actions = new Actions(pages, audit);
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = 2 * 1024 * 1024;
            var r = config.routes;
            r.before(ctx -> securityHeaders(ctx));
            r.before(ctx -> pages.authenticate(ctx));
            r.get("/static/console.css", ctx -> asset(ctx, "console.css", "text/css"));
            r.get("/static/sessions.js", ctx -> asset(ctx, "sessions.js", "text/javascript"));
            r.get("/login", pages::login);
            r.post("/login", pages::loginSubmit);
            r.post("/logout", pages::logout);
            r.get("/", pages::start);
            r.get("/keys", pages::keys);
            r.get("/profile", pages::profile);
            r.get("/history", pages::history);
            r.get("/diff", pages::diff);
            r.get("/restore", pages::restoreConfirm);
            r.get("/wipe", pages::wipeConfirm);
            r.get("/erase", pages::eraseConfirm);
            r.get("/sessions", pages::sessions);
            r.get("/api/sessions", pages::sessionsJson);
            r.get("/api/profile", pages::profileJson);
            r.post("/gift", actions::gift);
            r.post("/release", actions::release);
            r.post("/restore", actions::restore);
            r.post("/wipe", actions::wipe);
            r.post("/erase", actions::erase);
            r.exception(Refusal.class, (e, ctx) -> pages.refuse(ctx, e.status(), e.getMessage()));
            r.exception(BadInputException.class, (e, ctx) -> pages.refuse(ctx, 400, e.getMessage()));
            r.exception(IllegalArgumentException.class, (e, ctx) -> pages.refuse(ctx, 400, e.getMessage()));
            r.exception(DataModelException.class, (e, ctx) -> pages.refuse(ctx, 409, e.getMessage()));
            r.exception(BackendException.class, (e, ctx) -> pages.refuse(ctx, 502, "store error: " + e.getMessage()));
            r.exception(
                    ProfileServiceException.class,
                    (e, ctx) -> pages.refuse(ctx, 502, "store error: " + e.getMessage()));
            r.exception(Exception.class, (e, ctx) -> {
                LOG.warn("console request {} {} failed", ctx.method(), ctx.path(), e);
                pages.refuse(ctx, 500, "failed: " + e);
            });
        });
        app.start(settings.address(), settings.port());
        return new ConsoleServer(app, session, settings);
    }

    /** The port the console listens on (the one chosen when started with port 0). */
    public int port() {
        return app.port();
    }

    /** The console's address as a URL, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        String host = settings.address().contains(":") ? "[" + settings.address() + "]" : settings.address();
        return "http://" + host + ":" + port() + "/";
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            session.close();
        }
    }

    private static void securityHeaders(Context ctx) {
        ctx.header(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self';"
                        + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        // not no-referrer: under it Chromium sends "Origin: null" with same-origin form posts
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Cache-Control", "no-store");
    }

    private static void asset(Context ctx, String name, String type) {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                ctx.status(404);
                return;
            }
            ctx.contentType(type + "; charset=utf-8").result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code value} as the JSON response. */
    static void json(Context ctx, int status, Object value) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(Json.write(value));
    }

    /** Whether {@code ctx} is a write. */
    static boolean isWrite(Context ctx) {
        return ctx.method() != HandlerType.GET && ctx.method() != HandlerType.HEAD;
    }

    /** A one-field JSON object. */
    static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }
}
