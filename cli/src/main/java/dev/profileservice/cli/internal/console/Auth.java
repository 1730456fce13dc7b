package dev.profileservice.cli.internal.console;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use the console, checked before every handler: a script sends
 * {@code Authorization: Bearer TOKEN}; a browser logs in once at {@code /login} with the token and
 * gets a random session id in an HttpOnly, SameSite=Strict cookie. Tokens are compared in constant
 * time. A POST from a browser session must carry that session's CSRF token (every form has it),
 * and no POST may come from another site (its {@code Origin} must be this server's,
 * {@code Sec-Fetch-Site} same-origin). In read-only mode every write is refused.
 *
 * <p>Threads: called on Javalin's handler threads; the session table is a concurrent map.
 */
final class Auth {
    /** The session cookie's name. */
    static final String COOKIE = "profiles_console";

    /** How long a browser session lasts after the last request. */
    static final Duration IDLE = Duration.ofHours(8);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A browser session: its CSRF token, the message for the next page, and when it was last used. */
    static final class Session {
        final String csrf = randomToken();
        volatile String flash;
        volatile long lastUsedNanos = System.nanoTime();

        /** The message for the next page, once. */
        String takeFlash() {
            String f = flash;
            flash = null;
            return f;
        }
    }

    private final byte[] token;
    private final boolean readOnly;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    Auth(String token, boolean readOnly) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.readOnly = readOnly;
    }

    /** A random 256-bit token, base64url. */
    static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Whether {@code candidate} is the token, in time independent of where they differ. */
    boolean tokenMatches(String candidate) {
        return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Starts a browser session: sets its cookie. */
    Session login(Context ctx) {
        long now = System.nanoTime();
        sessions.values().removeIf(s -> now - s.lastUsedNanos > IDLE.toNanos()); // forget idle ones
        String id = randomToken();
        Session session = new Session();
        sessions.put(id, session);
        Cookie cookie = new Cookie(COOKIE, id, "/", -1, false, true, null, SameSite.STRICT);
        ctx.cookie(cookie);
        return session;
    }

    /** Ends the browser session of {@code ctx}, if any, and clears its cookie. */
    void logout(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id != null) {
            sessions.remove(id);
        }
        ctx.cookie(new Cookie(COOKIE, "", "/", 0, false, true, null, SameSite.STRICT));
    }

    /** The browser session of {@code ctx}, or null (none, unknown, or idle too long). */
    Session session(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null) {
            return null;
        }
        Session s = sessions.get(id);
        if (s == null) {
            return null;
        }
        long now = System.nanoTime();
        if (now - s.lastUsedNanos > IDLE.toNanos()) {
            sessions.remove(id);
            return null;
        }
        s.lastUsedNanos = now;
        return s;
    }

    /**
     * Checks a request to anything but the login page and the static files.
     *
     * @return the browser session, or null for a script with a valid bearer token
     * @throws Refusal 401 without a valid token or session (a browser's GET is sent to the login
     *                 page instead, by the caller); 403 for a cross-site or read-only write, or a
     *                 browser's write without its CSRF token
     */
    Session check(Context ctx, boolean write) {
        String authorization = ctx.header("Authorization");
        Session session = null;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    || !tokenMatches(authorization.substring(7).strip())) {
                throw new Refusal(401, "wrong access token");
            }
        } else {
            session = session(ctx);
            if (session == null) {
                throw new Refusal(401, "log in with the console's access token first");
            }
        }
        if (write) {
            checkSameOrigin(ctx);
            if (readOnly) {
                throw new Refusal(403, "the console is read-only (--read-only): nothing was written");
            }
            if (session != null && !constantEquals(session.csrf, ctx.formParam("csrf"))) {
                throw new Refusal(
                        403, "the form's CSRF token is missing or wrong: reload the page; nothing was written");
            }
        }
        return session;
    }

    /**
     * Refuses a POST that a browser sent from another site: {@code Sec-Fetch-Site} other than
     * same-origin (or none, typed by the user), or an {@code Origin} whose host and port are not
     * the {@code Host} the request was sent to.
     */
    static void checkSameOrigin(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new Refusal(403, "cross-site request refused (Sec-Fetch-Site: " + site + ")");
        }
        String origin = ctx.header("Origin");
        if (origin != null) {
            String host = ctx.header("Host");
            String originHost;
            try {
                URI u = URI.create(origin);
                originHost = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            } catch (IllegalArgumentException e) {
                originHost = null;
            }
            if (originHost == null
                    || host == null
                    || !originHost.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT))) {
                throw new Refusal(403, "cross-site request refused (Origin is not this console)");
            }
        }
    }

    private static boolean constantEquals(String expected, String actual) {
        return actual != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }
}
