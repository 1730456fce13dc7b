package dev.profileservice.cli.console;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.cli.internal.AdminSession;
import dev.profileservice.cli.internal.console.ConsoleServer;
import dev.profileservice.cli.internal.console.ConsoleSettings;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.StoredProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A console started in-process on port 0 over a SQLite file in a temporary directory, seeded through
 * a real {@link ProfileService} (which stays open and holds one profile, so the sessions page has
 * something to show), with an {@link HttpClient} that follows no redirects and helpers to log in
 * like a browser (session cookie and CSRF token) or call like a script (bearer token).
 */
final class ConsoleFixture implements AutoCloseable {
    static final String TOKEN = "console-test-token-0123456789abcdef";
    static final String STORE = "PlayerData";
    /** A second store with one profile, not named to the console. */
    static final String OTHER_STORE = "Guilds";
    /** A key that would break out of an attribute if it were not escaped. */
    static final String HOSTILE_KEY = "\"><img src=x onerror=alert(1)>";

    static final String SCRIPT = "<script>alert('xss')</script>";
    static final String BREAKOUT = "\"><img src=x onerror=alert(2)>";

    final Path dir;
    final String uri;
    final Path auditLog;
    final ProfileService service;
    final ProfileStore<Map<String, Object>> players;
    final Backend backend;
    final ConsoleServer server;
    final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    /** The kept version of Player_1 that has 100 coins (the latest has 0). */
    long richVersion;

    private ConsoleFixture(boolean readOnly) throws IOException {
        dir = Files.createTempDirectory("profiles-console-test");
        uri = "sqlite:" + dir.resolve("store.db");
        auditLog = dir.resolve("audit.jsonl");
        service = ProfileService.builder()
                .backend(uri)
                .placeId("lobby")
                .jobId("lobby-1")
                .build();
        players = service.getProfileStore(STORE, new LinkedHashMap<String, Object>());
        backend = Backends.open(uri);
        seed();
        server = ConsoleServer.start(
                AdminSession.open(uri, STORE),
                new ConsoleSettings("127.0.0.1", 0, TOKEN, readOnly, auditLog, List.of(STORE)));
    }

    static ConsoleFixture start() throws IOException {
        return new ConsoleFixture(false);
    }

    static ConsoleFixture startReadOnly() throws IOException {
        return new ConsoleFixture(true);
    }

    private void seed() {
        Profile<Map<String, Object>> p = players.loadProfile("Player_1").orElseThrow();
        p.edit(d -> {
            d.put("coins", 100);
            d.put("inventory", new ArrayList<>(List.of("sword", "shield")));
        });
        p.setMetaTag("rank", "gold");
        p.addUserId(42);
        p.release();
        richVersion = record("Player_1").revision();
        p = players.loadProfile("Player_1").orElseThrow();
        p.edit(d -> d.put("coins", 0));
        p.release();
        p = players.loadProfile("Player_2").orElseThrow();
        p.edit(d -> d.put("coins", 5));
        p.addUserId(42);
        p.release();
        players.loadProfile("Player_Online").orElseThrow(); // held by this service until close
        players.loadProfile("Player_Stuck").orElseThrow(); // held too, for a test that releases it
        for (String key : List.of("Erase_A", "Erase_B")) {
            p = players.loadProfile(key).orElseThrow();
            p.addUserId(77);
            p.release();
        }
        p = players.loadProfile(HOSTILE_KEY).orElseThrow();
        p.edit(d -> {
            d.put("script", SCRIPT);
            d.put("breakout", BREAKOUT);
            d.put(SCRIPT, "a key that is markup");
            d.put("huge", "<b>".repeat(1) + "x".repeat(1_000_000));
            d.put("deep", nested(200));
        });
        p.setMetaTag("note", BREAKOUT);
        p.release();
        players.globalUpdateProfile(HOSTILE_KEY, u -> u.addActiveUpdate(Map.of("msg", SCRIPT)));
        // a store the console is not told about (-s), found by the start page's listing
        service.getProfileStore(OTHER_STORE, new LinkedHashMap<String, Object>())
                .loadProfile("Guild_1")
                .orElseThrow()
                .release();
        // a copy the library set aside, with markup in its bytes and in its reason
        backend.quarantine(
                STORE,
                HOSTILE_KEY,
                ("{\"coins\":" + SCRIPT).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "cannot decode: " + BREAKOUT,
                1_700_000_000_000L);
    }

    /** {@code {"d":{"d":...{"leaf":"<script>"}}}}, {@code depth} objects deep. */
    static Map<String, Object> nested(int depth) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("leaf", SCRIPT);
        for (int i = 1; i < depth; i++) {
            Map<String, Object> outer = new LinkedHashMap<>();
            outer.put("d", inner);
            inner = outer;
        }
        return inner;
    }

    StoredProfile record(String key) {
        return backend.read(STORE, key);
    }

    Map<String, Object> data(String key) {
        return players.viewProfile(key).orElseThrow().getData();
    }

    URI url(String pathAndQuery) {
        return URI.create(server.url()).resolve(pathAndQuery);
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> q(e.getKey()) + "=" + q(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    HttpResponse<String> get(String path, String... headers) {
        return send(HttpRequest.newBuilder(url(path)).GET(), headers);
    }

    HttpResponse<String> post(String path, Map<String, String> fields, String... headers) {
        return send(
                HttpRequest.newBuilder(url(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(fields))),
                headers);
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String... headers) {
        if (headers.length > 0) {
            b.headers(headers);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The bearer header of a script. */
    static String[] bearer() {
        return new String[] {"Authorization", "Bearer " + TOKEN};
    }

    /** A logged-in browser: its session cookie, and the CSRF token its forms carry. */
    record Browser(String cookie, String csrf, String origin) {
        /** What the browser sends with a form it posts: its cookie, its origin, same-origin; then {@code more}. */
        String[] headers(String... more) {
            String[] base = {"Cookie", cookie, "Origin", origin, "Sec-Fetch-Site", "same-origin"};
            String[] all = new String[base.length + more.length];
            System.arraycopy(base, 0, all, 0, base.length);
            System.arraycopy(more, 0, all, base.length, more.length);
            return all;
        }
    }

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    /** Logs in with the token like a browser and reads the CSRF token from the start page. */
    Browser login() {
        HttpResponse<String> r = post("/login", Map.of("token", TOKEN));
        if (r.statusCode() != 303) {
            throw new IllegalStateException("login: " + r.statusCode() + " " + r.body());
        }
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        HttpResponse<String> start = get("/", "Cookie", cookie);
        Matcher m = CSRF.matcher(start.body());
        if (!m.find()) {
            throw new IllegalStateException("no CSRF token on the start page");
        }
        return new Browser(cookie, m.group(1), origin());
    }

    /** The Origin header value a browser on this console sends. */
    String origin() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
            service.close();
            backend.close();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
            }
        }
    }
}
