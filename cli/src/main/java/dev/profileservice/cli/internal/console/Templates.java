package dev.profileservice.cli.internal.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The console's jte templates ({@code cli/src/main/jte}), precompiled into classes at build time by
 * jte-maven-plugin, so {@code profiles.jar} renders pages without a Java compiler. Content type HTML:
 * every {@code ${...}} is escaped for where it stands (text or attribute). Thread-safe.
 */
final class Templates {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** Renders {@code name} with {@code params} as the response. */
    void render(Context ctx, String name, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        engine.render(name, params, out);
        ctx.html(out.toString());
    }
}
