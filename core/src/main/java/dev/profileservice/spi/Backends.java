package dev.profileservice.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds the {@link BackendProvider} for a URI among those on the class or module path. */
public final class Backends {
    private Backends() {}

    /**
     * Opens the backend for {@code uri}.
     *
     * @throws IllegalArgumentException if the URI is null, has no scheme, or no provider handles its
     *                                  scheme (the message lists the schemes that are available)
     * @throws BackendException         if the provider cannot reach the store
     */
    public static Backend open(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("backend URI must not be null or blank");
        }
        String scheme = BackendUris.scheme(uri);
        if (scheme.isEmpty()) {
            throw new IllegalArgumentException("backend URI '" + BackendUris.mask(uri)
                    + "' has no scheme; expected e.g. sqlite:profiles.db, postgresql://host/db, redis://host");
        }
        TreeSet<String> known = new TreeSet<>();
        for (BackendProvider provider : providers()) {
            if (provider.schemes().contains(scheme)) {
                return provider.open(uri);
            }
            known.addAll(provider.schemes());
        }
        throw new IllegalArgumentException("unknown backend scheme '" + scheme + "' in URI '" + BackendUris.mask(uri)
                + "'; available: " + String.join(", ", known)
                + " (add the profileservice-jdbc or profileservice-redis module for more)");
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> out = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())
                .forEach(out::add);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != Backends.class.getClassLoader()) {
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class, context)) {
                if (out.stream().noneMatch(q -> q.getClass() == p.getClass())) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
