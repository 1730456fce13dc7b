package dev.profileservice.cli.internal.console;

import dev.profileservice.cli.internal.AdminSession;
import dev.profileservice.cli.internal.BadInputException;
import dev.profileservice.cli.internal.Eraser;
import dev.profileservice.cli.internal.Gifting;
import dev.profileservice.cli.internal.Json;
import dev.profileservice.cli.internal.KeyFinder;
import dev.profileservice.cli.internal.Restorer;
import dev.profileservice.cli.internal.SessionReleaser;
import dev.profileservice.cli.internal.Versions;
import dev.profileservice.spi.StoredProfile;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The console's writes, each a POST that {@link Pages#authenticate} let through (token, same
 * origin, CSRF token, not read-only): send a gift, release a session, restore a version, wipe a
 * profile (the form must repeat the key), erase a user id (the form must repeat the id). Each
 * validates its input, then records itself in the {@link AuditLog} (refusing if it cannot), then
 * calls the same admin-layer class as the {@code profiles} command ({@link Gifting},
 * {@link SessionReleaser}, {@link Restorer}, {@link Eraser}). A browser is sent back to a page with
 * the outcome; a script gets it as JSON.
 *
 * <p>Threads: every method runs on a Javalin handler thread and blocks it until the store answers.
 */
final class Actions {
    private final Pages pages;
    private final AuditLog audit;

    Actions(Pages pages, AuditLog audit) {
        this.pages = pages;
        this.audit = audit;
    }

    void gift(Context ctx) {
        AdminSession s = pages.store(ctx);
        String key = Pages.key(ctx);
        Map<String, Object> data = Gifting.parse(Pages.param(ctx, "data"), "the gift's data");
        StoredProfile record = s.requireKey(key);
        long id = audited(ctx, "gift", s, key, record, Json.write(data), () -> Gifting.send(s, key, data, false));
        done(
                ctx,
                Urls.of("/profile", s.storeName(), key),
                "Sent gift #" + id + " to " + key + ".",
                Json.object("key", key, "id", id, "data", data));
    }

    void release(Context ctx) {
        AdminSession s = pages.store(ctx);
        String key = Pages.key(ctx);
        StoredProfile before = s.requireKey(key);
        SessionReleaser.Released r = audited(
                ctx,
                "release",
                s,
                key,
                before,
                before.owner() == null
                        ? "not held"
                        : "held by job " + before.owner().jobId(),
                () -> SessionReleaser.release(s, key, before));
        done(
                ctx,
                Urls.of("/profile", s.storeName(), key),
                (before.owner() == null ? key + " was not held" : "Released " + key) + "; epoch " + before.epoch()
                        + " → " + r.after().epoch() + ".",
                Json.object(
                        "key",
                        key,
                        "wasHeld",
                        before.owner() != null,
                        "epochBefore",
                        before.epoch(),
                        "epochAfter",
                        r.after().epoch()));
    }

    void restore(Context ctx) {
        AdminSession s = pages.store(ctx);
        String key = Pages.key(ctx);
        long revision = Versions.parse(Pages.param(ctx, "version").strip());
        boolean clearUpdates = "true".equals(ctx.formParam("clearUpdates"));
        StoredProfile record = s.requireKey(key);
        Restorer.Plan plan = Restorer.plan(s, key, record, revision, clearUpdates);
        StoredProfile after = audited(
                ctx,
                "restore",
                s,
                key,
                record,
                "to version " + revision + (clearUpdates ? ", pending gifts cleared" : ""),
                () -> Restorer.apply(s, key, plan));
        done(
                ctx,
                Urls.of("/profile", s.storeName(), key),
                "Restored version " + revision + " of " + key + " as version " + after.revision() + " (cause admin)"
                        + (plan.holder() != null ? "; the session of " + plan.holder() + " was ended." : "."),
                Json.object(
                        "key",
                        key,
                        "restoredVersion",
                        String.valueOf(revision),
                        "newVersion",
                        String.valueOf(after.revision()),
                        "epochBefore",
                        record.epoch(),
                        "epochAfter",
                        after.epoch()));
    }

    void wipe(Context ctx) {
        AdminSession s = pages.store(ctx);
        String key = Pages.key(ctx);
        if (!key.equals(ctx.formParam("confirm"))) {
            throw new BadInputException("type the key exactly to confirm the wipe; nothing was deleted");
        }
        StoredProfile record = s.requireKey(key);
        boolean deleted = audited(ctx, "wipe", s, key, record, "", () -> Eraser.wipe(s, key));
        done(
                ctx,
                "/keys?store=" + Urls.q(s.storeName()),
                (deleted ? "Wiped " : "Nothing to wipe for ") + key + ".",
                Json.object("key", key, "deleted", deleted));
    }

    void erase(Context ctx) {
        AdminSession s = pages.store(ctx);
        long userId = Pages.userId(ctx, "user");
        if (!String.valueOf(userId)
                .equals(
                        ctx.formParam("confirm") == null
                                ? null
                                : ctx.formParam("confirm").strip())) {
            throw new BadInputException("type the user id exactly to confirm the erasure; nothing was deleted");
        }
        List<String> keys = KeyFinder.ofUser(s, userId);
        for (String key : keys) {
            StoredProfile record = s.backend().read(s.storeName(), key);
            audit.append(
                    "erase-user", s.storeName(), key, record.revision(), "requested", "user id " + userId, client(ctx));
        }
        List<String> deleted;
        try {
            deleted = Eraser.wipeAll(s, keys);
        } catch (RuntimeException e) {
            audit.append(
                    "erase-user",
                    s.storeName(),
                    null,
                    null,
                    "failed: " + e.getMessage(),
                    "user id " + userId,
                    client(ctx));
            throw e;
        }
        done(
                ctx,
                "/keys?store=" + Urls.q(s.storeName()),
                "Erased user id " + userId + ": " + deleted.size() + " profile(s) deleted.",
                Json.object("userId", userId, "keys", keys, "deleted", deleted));
    }

    /**
     * Records the action in the audit log, then runs it; a failure is recorded too and rethrown.
     */
    private <T> T audited(
            Context ctx,
            String action,
            AdminSession s,
            String key,
            StoredProfile before,
            String detail,
            Supplier<T> run) {
        audit.append(action, s.storeName(), key, before.revision(), "requested", detail, client(ctx));
        try {
            return run.get();
        } catch (RuntimeException e) {
            audit.append(
                    action, s.storeName(), key, before.revision(), "failed: " + e.getMessage(), detail, client(ctx));
            throw e;
        }
    }

    private static String client(Context ctx) {
        return ctx.ip() + (Pages.session(ctx) == null ? " (bearer token)" : " (browser session)");
    }

    /** A browser goes to {@code next} with {@code message} shown there; a script gets {@code json}. */
    private void done(Context ctx, String next, String message, Map<String, Object> json) {
        Auth.Session session = Pages.session(ctx);
        if (session == null) {
            ConsoleServer.json(ctx, 200, json);
            return;
        }
        session.flash = message;
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }
}
