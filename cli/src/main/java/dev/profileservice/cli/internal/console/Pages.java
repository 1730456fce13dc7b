package dev.profileservice.cli.internal.console;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.Profile;
import dev.profileservice.cli.internal.AdminSession;
import dev.profileservice.cli.internal.BadInputException;
import dev.profileservice.cli.internal.Json;
import dev.profileservice.cli.internal.KeyFinder;
import dev.profileservice.cli.internal.ProfileViewer;
import dev.profileservice.cli.internal.Restorer;
import dev.profileservice.cli.internal.SessionLister;
import dev.profileservice.cli.internal.VersionBrowser;
import dev.profileservice.cli.internal.Versions;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The console's pages and JSON endpoints that only read, and what every request shares: the
 * authentication step, the request's profile store and key, the page frame, and refusals. Each page
 * reads through the admin layer ({@link ProfileViewer}, {@link KeyFinder}, {@link VersionBrowser},
 * {@link Restorer#plan}, {@link SessionLister}) and renders one template with a {@link Views} record.
 *
 * <p>Threads: every method runs on a Javalin handler thread and calls the store on it.
 */
final class Pages {
    /** Keys on one page of a search. */
    static final int KEYS_PER_PAGE = 50;

    /** Versions on one page of a history. */
    static final int VERSIONS_PER_PAGE = 20;

    private static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");

    private final AdminSession root;
    private final ConsoleSettings settings;
    private final Auth auth;
    private final AuditLog audit;
    private final Templates templates;

    Pages(AdminSession root, ConsoleSettings settings, Auth auth, AuditLog audit, Templates templates) {
        this.root = root;
        this.settings = settings;
        this.auth = auth;
        this.audit = audit;
        this.templates = templates;
    }

    /**
     * The step before every handler: a request must name this console as its host (no DNS
     * rebinding) and, except for the login page and static files, carry the token ({@link Auth}).
     */
    void authenticate(Context ctx) {
        checkHost(ctx);
        String path = ctx.path();
        if (path.startsWith("/static/") || path.equals("/login")) {
            return;
        }
        boolean logout = path.equals("/logout");
        Auth.Session session = auth.check(ctx, ConsoleServer.isWrite(ctx) && !logout);
        if (logout) {
            Auth.checkSameOrigin(ctx);
        }
        ctx.attribute("session", session);
    }

    private void checkHost(Context ctx) {
        String host = ctx.header("Host");
        String address = settings.address();
        if (address.equals("0.0.0.0") || address.equals("::")) {
            return; // bound to every interface on purpose: any name may reach it
        }
        String name = host == null ? "" : host.replaceFirst(":[0-9]+$", "").toLowerCase(Locale.ROOT);
        if (!LOOPBACK_NAMES.contains(name) && !name.equals(address) && !name.equals("[" + address + "]")) {
            throw new Refusal(403, "unexpected Host header; open the console by the address it printed");
        }
    }

    /** The browser session of this request, or null for a script with a bearer token. */
    static Auth.Session session(Context ctx) {
        return ctx.attribute("session");
    }

    /** Whether the answer should be JSON: an API path, or a script with a bearer token. */
    static boolean wantsJson(Context ctx) {
        return ctx.path().startsWith("/api/") || ctx.header("Authorization") != null;
    }

    /** Answers a refused or failed request: JSON for scripts, a page for browsers (the login page for 401). */
    void refuse(Context ctx, int status, String message) {
        if (wantsJson(ctx)) {
            ConsoleServer.json(ctx, status, ConsoleServer.error(message));
        } else if (status == 401 && !ConsoleServer.isWrite(ctx)) {
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
        } else if (status == 401) {
            ctx.status(401);
            render(ctx, "login.jte", Map.of("error", message));
        } else {
            ctx.status(status);
            render(
                    ctx,
                    "error.jte",
                    Map.of("chrome", chrome(ctx, "Error", null), "error", new Views.Failure(status, message)));
        }
    }

    void render(Context ctx, String template, Map<String, Object> params) {
        templates.render(ctx, template, params);
    }

    private void page(Context ctx, String template, String title, String store, String name, Object model) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("chrome", chrome(ctx, title, store));
        params.put(name, model);
        render(ctx, template, params);
    }

    private Views.Chrome chrome(Context ctx, String title, String store) {
        Auth.Session s = session(ctx);
        return new Views.Chrome(
                title,
                root.maskedUri(),
                settings.readOnly(),
                s == null ? "" : s.csrf,
                s == null ? null : s.takeFlash(),
                store);
    }

    /** The request's profile store, from the {@code store} parameter. */
    AdminSession store(Context ctx) {
        return root.forStore(param(ctx, "store"));
    }

    /** A required query or form parameter. */
    static String param(Context ctx, String name) {
        String v = ConsoleServer.isWrite(ctx) ? ctx.formParam(name) : ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            throw new BadInputException("missing parameter '" + name + "'");
        }
        return v;
    }

    /** The request's profile key: 1 to 200 characters, no control characters (the library's rule). */
    static String key(Context ctx) {
        String key = param(ctx, "key");
        if (key.length() > 200 || key.chars().anyMatch(Character::isISOControl)) {
            throw new BadInputException("bad key: use 1 to 200 characters without control characters");
        }
        return key;
    }

    /** A user id parameter: a whole number. */
    static long userId(Context ctx, String name) {
        String v = param(ctx, name).strip();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadInputException("user id '" + v + "' is not a whole number");
        }
    }

    // ---- pages

    void login(Context ctx) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("error", null);
        render(ctx, "login.jte", params);
    }

    void loginSubmit(Context ctx) {
        Auth.checkSameOrigin(ctx);
        if (!auth.tokenMatches(ctx.formParam("token"))) {
            ctx.status(401);
            render(ctx, "login.jte", Map.of("error", "That is not the console's access token."));
            return;
        }
        auth.login(ctx);
        ctx.redirect("/", HttpStatus.SEE_OTHER);
    }

    void logout(Context ctx) {
        auth.logout(ctx);
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
    }

    void start(Context ctx) {
        // the stores named with -s first (in their order), then every other store holding a record
        Set<String> stores = new LinkedHashSet<>(settings.stores());
        stores.addAll(root.admin().stores());
        page(ctx, "start.jte", "Start", null, "start", new Views.Start(List.copyOf(stores)));
    }

    void keys(Context ctx) {
        AdminSession s = store(ctx);
        String prefix = Optional.ofNullable(ctx.queryParam("prefix")).orElse("");
        String user = Optional.ofNullable(ctx.queryParam("user")).orElse("").strip();
        Views.Keys model;
        if (!user.isEmpty()) {
            model = new Views.Keys(s.storeName(), prefix, user, KeyFinder.ofUser(s, userId(ctx, "user")), null);
        } else {
            KeyFinder.Page page = KeyFinder.withPrefix(s, prefix, ctx.queryParam("after"), KEYS_PER_PAGE);
            model = new Views.Keys(s.storeName(), prefix, "", page.keys(), page.next());
        }
        page(ctx, "keys.jte", "Keys of " + s.storeName(), s.storeName(), "keys", model);
    }

    void profile(Context ctx) {
        AdminSession s = store(ctx);
        String key = key(ctx);
        page(ctx, "profile.jte", key, s.storeName(), "p", profileModel(s, key));
    }

    private Views.Profile profileModel(AdminSession s, String key) {
        StoredProfile record = s.requireKey(key);
        Optional<Profile<Map<String, Object>>> view = ProfileViewer.latest(s, key);
        String owner = null;
        String lease = null;
        if (record.owner() != null) {
            owner = "place " + record.owner().placeId() + ", job "
                    + record.owner().jobId() + " (server " + record.owner().serverId() + ")";
            lease = new SessionLister.Held(
                            new SessionInfo(key, record.epoch(), record.owner()),
                            SessionLister.leases(s).get(record.owner().serverId()))
                    .leaseText();
        }
        List<Views.Quarantined> quarantined = s.admin().quarantined(s.storeName(), key).stream()
                .map(Views.Quarantined::of)
                .toList();
        List<AuditLog.Entry> entries = audit.forKey(s.storeName(), key, 50);
        if (view.isEmpty()) {
            List<Views.Update> inbox = new ArrayList<>();
            for (PendingUpdate u : record.updates()) {
                inbox.add(new Views.Update(u.id(), new String(u.data(), StandardCharsets.UTF_8)));
            }
            return new Views.Profile(
                    s.storeName(),
                    key,
                    false,
                    record.revision(),
                    record.epoch(),
                    owner,
                    lease,
                    "",
                    0,
                    null,
                    null,
                    List.of(),
                    inbox,
                    List.of(),
                    record.updates().size(),
                    quarantined,
                    entries);
        }
        Profile<Map<String, Object>> p = view.get();
        return new Views.Profile(
                s.storeName(),
                key,
                true,
                record.revision(),
                record.epoch(),
                owner,
                lease,
                String.valueOf(p.getMetaData().getProfileCreateTime()),
                p.getMetaData().getSessionLoadCount(),
                Json.MAPPER.valueToTree(p.getMetaData().getMetaTags()),
                Json.MAPPER.valueToTree(p.getData()),
                p.getUserIds(),
                updates(p.getGlobalUpdates().getActiveUpdates()),
                updates(p.getGlobalUpdates().getLockedUpdates()),
                record.updates().size(),
                quarantined,
                entries);
    }

    private static List<Views.Update> updates(List<GlobalUpdate> list) {
        List<Views.Update> out = new ArrayList<>();
        for (GlobalUpdate u : list) {
            out.add(new Views.Update(u.id(), Json.write(u.data())));
        }
        return out;
    }

    void profileJson(Context ctx) {
        AdminSession s = store(ctx);
        String key = key(ctx);
        StoredProfile record = s.requireKey(key);
        Map<String, Object> out = ProfileViewer.describe(ProfileViewer.requireLatest(s, key, record), record);
        out.put("revision", record.revision());
        out.put("quarantined", s.admin().quarantineCount(s.storeName(), key));
        ConsoleServer.json(ctx, 200, out);
    }

    void history(Context ctx) {
        AdminSession s = store(ctx);
        String key = key(ctx);
        StoredProfile record = s.requireKey(key);
        long after = -1;
        if (ctx.queryParam("after") != null) {
            after = Versions.parse(ctx.queryParam("after"));
        }
        List<StoredVersion> page = VersionBrowser.page(s, key, true, after, VERSIONS_PER_PAGE + 1);
        List<Views.Version> rows = new ArrayList<>();
        for (StoredVersion v : page.subList(0, Math.min(page.size(), VERSIONS_PER_PAGE))) {
            rows.add(new Views.Version(
                    v.revision(),
                    Versions.time(v.savedAtMillis()),
                    v.cause().label(),
                    Versions.writer(v.writer()),
                    v.size(),
                    v.pinned(),
                    v.revision() == record.revision()));
        }
        long next = page.size() > VERSIONS_PER_PAGE ? rows.get(rows.size() - 1).revision() : -1;
        page(
                ctx,
                "history.jte",
                "History of " + key,
                s.storeName(),
                "h",
                new Views.History(s.storeName(), key, record.revision(), rows, next));
    }

    void diff(Context ctx) {
        AdminSession s = store(ctx);
        String key = key(ctx);
        String from = param(ctx, "from").strip();
        String to = param(ctx, "to").strip();
        VersionBrowser.Diff d = VersionBrowser.diff(s, key, s.requireKey(key), from, to);
        page(
                ctx,
                "diff.jte",
                "Diff of " + key,
                s.storeName(),
                "d",
                new Views.Diff(
                        s.storeName(),
                        key,
                        from,
                        to,
                        d.from().label(),
                        d.to().label(),
                        d.diff().lines()));
    }

    void restoreConfirm(Context ctx) {
        refuseIfReadOnly();
        AdminSession s = store(ctx);
        String key = key(ctx);
        long revision = Versions.parse(param(ctx, "version").strip());
        Restorer.Plan plan = Restorer.plan(s, key, s.requireKey(key), revision, false);
        page(
                ctx,
                "restore.jte",
                "Restore " + key,
                s.storeName(),
                "r",
                new Views.Restore(
                        s.storeName(),
                        key,
                        revision,
                        Versions.time(plan.kept().savedAtMillis()),
                        plan.kept().cause().label(),
                        plan.record().revision(),
                        plan.diff() == null ? null : plan.diff().lines(),
                        plan.holder()));
    }

    void wipeConfirm(Context ctx) {
        refuseIfReadOnly();
        AdminSession s = store(ctx);
        String key = key(ctx);
        StoredProfile record = s.requireKey(key);
        String holder = record.owner() == null
                ? null
                : "place " + record.owner().placeId() + ", job "
                        + record.owner().jobId();
        page(ctx, "wipe.jte", "Wipe " + key, s.storeName(), "w", new Views.Wipe(s.storeName(), key, holder));
    }

    void eraseConfirm(Context ctx) {
        refuseIfReadOnly();
        AdminSession s = store(ctx);
        long userId = userId(ctx, "user");
        page(
                ctx,
                "erase.jte",
                "Erase user id " + userId,
                s.storeName(),
                "e",
                new Views.Erase(s.storeName(), userId, KeyFinder.ofUser(s, userId)));
    }

    void sessions(Context ctx) {
        AdminSession s = store(ctx);
        List<Views.Session> rows = new ArrayList<>();
        for (SessionLister.Held h : SessionLister.list(s)) {
            rows.add(new Views.Session(
                    h.session().key(),
                    h.session().epoch(),
                    h.session().owner().serverId(),
                    h.session().owner().placeId(),
                    h.session().owner().jobId(),
                    h.leaseText(),
                    h.leaseState()));
        }
        page(
                ctx,
                "sessions.jte",
                "Sessions of " + s.storeName(),
                s.storeName(),
                "s",
                new Views.Sessions(s.storeName(), rows));
    }

    void sessionsJson(Context ctx) {
        AdminSession s = store(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        for (SessionLister.Held h : SessionLister.list(s)) {
            Map<String, Object> row = h.json();
            row.put("leaseText", h.leaseText());
            out.add(row);
        }
        ConsoleServer.json(ctx, 200, out);
    }

    /** The confirmation pages of writes are not shown in read-only mode. */
    private void refuseIfReadOnly() {
        if (settings.readOnly()) {
            throw new Refusal(403, "the console is read-only (--read-only): nothing can be written");
        }
    }
}
