/**
 * The backend service-provider interface: what a store must offer so that the engine can run the
 * ProfileService protocol on it.
 *
 * <p>A backend is a thin adapter. It stores, per {@code (store name, key)}, one {@link StoredProfile}:
 * an opaque payload written only by the owning session, the session fields (owner and fencing epoch),
 * and an inbox of pending global updates written only by senders. Every method of {@link Backend} is
 * one atomic operation on that record, ideally one round trip. The protocol (when to acquire, when to
 * steal, what to save, how global updates move from Active to Locked to Cleared) lives in the engine,
 * never here; see {@link Backend} for the exact contract of each operation, and the testkit module's
 * {@code BackendContractTest} for the executable version of it.
 *
 * <p>Backends are discovered through {@link java.util.ServiceLoader} by URI scheme
 * ({@link BackendProvider}), or passed to {@code ProfileService.Builder.backend(Backend)} directly.
 */
package dev.profileservice.spi;
