package dev.profileservice.cli.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.DataModel;
import dev.profileservice.DataModelException;
import dev.profileservice.internal.Codec;
import dev.profileservice.spi.VersionCause;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code profiles migrate --model CLASS}: runs the game's data migrations ({@link DataModel}) over
 * every stored profile whose data is at an older version, as a loading server would, without
 * waiting for each player to come back: takes the profile's session, keeps the data before as a
 * version (cause {@code migration}), writes the migrated data at the model's version, releases. A
 * profile a server holds is reported and left alone (its server migrates it on its next save); data
 * at a newer version than the model's is reported and skipped; a failing step or validator is
 * reported and the profile left as it was. A second run finds the migrated profiles at the model's
 * version and does nothing to them. See {@link BulkRun}.
 */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Migrate every stored profile whose data is at an older version than the data model's: takes each"
                    + " profile's session lock, keeps the data before as a version (cause migration), writes the"
                    + " migrated data and releases.",
            "A profile held by a server is reported and not touched; data newer than the model is reported and"
                    + " skipped; a failing migration step or validator is reported and the profile left as it was.",
            "Safe to interrupt (Ctrl-C) and run again: profiles already at the model's version are not touched."
                    + " Exit code 1 if a profile failed.",
            "CLASS is the game's public class with a public no-argument constructor implementing"
                    + " java.util.function.Supplier<DataModel<Map<String,Object>>>, e.g.:",
            "  public class Model implements Supplier<DataModel<Map<String, Object>>> {",
            "    public DataModel<Map<String, Object>> get() {",
            "      return DataModel.<Map<String, Object>>version(2)",
            "          .migrate(1, data -> data.put(\"gems\", 0));",
            "    }",
            "  }"
        })
public final class MigrateCommand extends StoreCommand {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "CLASS",
            description = "The data model: a class implementing Supplier<DataModel<Map<String,Object>>>, by its"
                    + " fully qualified name")
    String modelClass;

    @Option(
            names = "--classpath",
            paramLabel = "JAR_OR_DIR",
            description = "Where CLASS and what it needs are: jars or class folders (repeat the option, or separate"
                    + " them as in a Java class path, with ':' or ';' on Windows); the tool's own classes"
                    + " (ProfileService's API) come first")
    List<String> classpath = new ArrayList<>();

    @Mixin
    BulkOptions bulk;

    @Override
    public Integer call() throws IOException {
        bulk.check();
        try (URLClassLoader loader = loader()) {
            DataModel<Map<String, Object>> model = model(loader);
            try (AdminSession session = store.openExisting()) {
                Codec codec = new Codec();
                JavaType mapType = codec.dataType(new LinkedHashMap<String, Object>());
                return new BulkRun(
                                "migrate",
                                BulkRun.Outcome.MIGRATED,
                                VersionCause.MIGRATION,
                                store,
                                session,
                                bulk,
                                (key, payload) -> plan(codec, mapType, model, payload))
                        .runAll();
            }
        }
    }

    private URLClassLoader loader() {
        List<URL> urls = new ArrayList<>();
        List<Path> paths = new ArrayList<>();
        for (String entry : classpath) {
            for (String part : entry.split(Pattern.quote(File.pathSeparator))) {
                if (!part.isBlank()) {
                    paths.add(Path.of(part));
                }
            }
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new BadInputException("--classpath entry " + p + " does not exist");
            }
            try {
                urls.add(p.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new BadInputException("--classpath entry " + p + " is not a usable path: " + e.getMessage());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), MigrateCommand.class.getClassLoader());
    }

    /**
     * The model {@link #modelClass} supplies.
     *
     * @throws BadInputException if the class cannot be found, is not such a supplier, or fails
     */
    @SuppressWarnings("unchecked")
    private DataModel<Map<String, Object>> model(ClassLoader loader) {
        String what = "--model " + modelClass;
        Class<?> type;
        try {
            type = Class.forName(modelClass, true, loader);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new BadInputException("no class '" + modelClass + "' found"
                    + (classpath.isEmpty()
                            ? " (give its jar or classes folder with --classpath)"
                            : " on --classpath " + classpath));
        } catch (LinkageError e) {
            throw new BadInputException(what + " cannot be loaded: " + BulkRun.oneLine(e));
        }
        if (!Supplier.class.isAssignableFrom(type)) {
            throw new BadInputException(
                    what + " does not implement java.util.function.Supplier<DataModel<Map<String,Object>>>");
        }
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            throw new BadInputException(what + " must be a public, non-abstract class");
        }
        Object value;
        try {
            Constructor<?> constructor = type.getConstructor();
            value = ((Supplier<?>) constructor.newInstance()).get();
        } catch (NoSuchMethodException e) {
            throw new BadInputException(what + " has no public constructor without arguments");
        } catch (InvocationTargetException e) {
            throw new BadInputException(what + " failed to construct: " + BulkRun.oneLine(e.getCause()));
        } catch (ReflectiveOperationException e) {
            throw new BadInputException(what + " cannot be constructed: " + BulkRun.oneLine(e));
        } catch (RuntimeException | LinkageError e) {
            throw new BadInputException(what + " failed to supply its model: " + BulkRun.oneLine(e));
        }
        if (!(value instanceof DataModel<?> model)) {
            throw new BadInputException(what + " supplied "
                    + (value == null ? "null" : "a " + value.getClass().getName()) + ", not a DataModel");
        }
        return (DataModel<Map<String, Object>>) model;
    }

    /** What migrating {@code payload} gives: already done, newer (skipped), failed, or the migrated payload. */
    static BulkRun.Plan plan(Codec codec, JavaType mapType, DataModel<Map<String, Object>> model, byte[] payload) {
        int to = model.version();
        JsonNode version;
        try {
            version = Versions.tree(payload, "the stored data").get("dataVersion");
        } catch (IllegalStateException e) {
            return BulkRun.Plan.failed(e.getMessage(), Map.of());
        }
        int from = version == null ? 1 : version.isInt() ? version.asInt() : -1;
        Map<String, Object> details = Json.object("from", from, "to", to);
        if (from == to) {
            return BulkRun.Plan.done(BulkRun.Outcome.ALREADY_DONE, null, details);
        }
        if (from > to) {
            return BulkRun.Plan.done(
                    BulkRun.Outcome.SKIPPED,
                    "its data is at version " + from + ", newer than the model's (" + to
                            + "): saved by a newer release",
                    details);
        }
        try {
            Codec.Payload<Map<String, Object>> p = codec.decodePayload(payload, mapType, model, false);
            String problem = model.problemWith(p.data());
            if (problem != null) {
                return BulkRun.Plan.failed("the migrated data fails the model's validator: " + problem, details);
            }
            byte[] migrated =
                    codec.encodePayload(p.created(), p.loads(), p.data(), p.tags(), p.locked(), p.userIds(), to);
            return BulkRun.Plan.change(migrated, null, details);
        } catch (Codec.CorruptException e) {
            return BulkRun.Plan.failed("its stored data cannot be read: " + e.getMessage(), details);
        } catch (DataModelException e) {
            return BulkRun.Plan.failed(e.getMessage(), details);
        } catch (RuntimeException e) {
            return BulkRun.Plan.failed("the migration failed: " + BulkRun.oneLine(e), details);
        }
    }
}
