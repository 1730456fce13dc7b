/**
 * The engine behind {@link dev.profileservice.ProfileService}. Not API: this package may change
 * without notice in any release (the module does not export it). Read this first; each part
 * below names the class that holds it.
 *
 * <h2>The record</h2>
 * A backend keeps one record per {@code (store, key)} ({@link dev.profileservice.spi.StoredProfile}):
 * the <em>payload</em> the owner writes (data, meta tags, Locked global updates, creation time,
 * load count: {@link Codec}), the <em>epoch</em> (a fencing token that grows on every acquisition),
 * the <em>owner</em> (which server holds the session, or none), and the <em>inbox</em>: the Active
 * global updates that senders added, each with the id the store gave it and a version, and the
 * last id given ({@code updateSeq}). Heartbeat rows, one per server, keep that server's sessions
 * alive.
 *
 * <h2>Loading: acquire, lease, steal ({@link Load})</h2>
 * A load takes a free record in one atomic write, creating it with the template on a first load.
 * A held record's owner is judged by its lease, on the store's clock only
 * ({@link dev.profileservice.spi.LeaseClock}): a dead owner (lease run out plus
 * {@link Load#STEAL_GRACE}) is stolen from with a conditional acquire on the epoch just seen; a live
 * one is asked over the message bus ({@link HandOver}) while the game's handler decides: CANCEL,
 * REPEAT (wait for it) or FORCE_LOAD (ask it to release; steal after the force-load timeout).
 *
 * <h2>Saving: the save cycle ({@link SaveCycle}, {@link ActiveProfile})</h2>
 * Every write of an owner is fenced: the store applies it only if the epoch and the owner still
 * match, in the same atomic operation. A refused write ends the session (LOST_SESSION): the
 * profile turns inactive and its release listeners fire. Each active profile has one save cycle,
 * an explicit state machine (IDLE, QUEUED, WRITING, BACKOFF; ACTIVE, RELEASING, RELEASED): at most
 * one sync at a time, requests coalesce, failures retry after a backoff that nothing overtakes,
 * and the release is the last sync, freeing the session in the same write. An unchanged profile
 * is only read (its digest matches), never rewritten. Saves due together go to the store together
 * ({@link SaveBatcher}, fed by the one auto-save timer of all profiles, {@link AutoSaveWheel}).
 *
 * <h2>Gifts: global updates ({@link GiftSender}, {@link GiftLedger}, {@link UpdatesView})</h2>
 * A sender's adds are appended to the inbox, numbered by the store, without a read and without
 * conflicting with other senders or the owner; each carries a token, so a retry after a lost reply
 * adds nothing. Sends of adds to one key from one service share a round trip ({@link GiftSender});
 * a full inbox ({@code maxPendingUpdates}) fails them at once when nobody holds the profile, and
 * slows them down while its owner takes updates in. A change or clear is conditional on the
 * version the sender read. The owner locks an update by moving it from the inbox into the payload
 * in its fenced save, naming each consumed update's (id, version) (UPDATES_CHANGED: a sender
 * changed one meanwhile; read and retry); a save whose answer shows new ids reads them at once. The
 * game clears a Locked update in the same edit that applies it, so both are saved together or not
 * at all: a gift is applied once across crashes, steals and lost replies. When a save's reply is
 * lost, the stored payload, read once, decides whether a lock took effect.
 *
 * <h2>Messages ({@link Message}, {@link HandOver})</h2>
 * Servers tell each other "please release", "tell me when you release", "released" and "a gift
 * arrived" over the store's push channel, when it has one. They are hints: a lost message costs a
 * poll interval, never safety, because every decision is taken again from the store.
 *
 * <h2>Failures ({@link StoreRecovery}, {@link ObservedBackend}, {@link CriticalState})</h2>
 * Failed store calls are reported on the issue signal and retried with backoff; the moment the
 * store answers again (any call, or a probe while retries wait) every waiting retry runs,
 * releases first. Issues piling up make the critical state. Undecodable bytes are copied aside
 * (quarantine) and reported before the template replaces them.
 *
 * <h2>Observation ({@link Observation})</h2>
 * The builder's {@link dev.profileservice.ProfileServiceObserver}, if any, hears of loads and
 * hand-overs ({@link Load}), syncs and session ends ({@link SaveCycle}), batches and the saves in
 * flight ({@link SaveBatcher}), gifts sent ({@link GiftSender}), locked and cleared
 * ({@link GiftLedger}, which notes when the owner first saw each), issues and corruption
 * ({@link Engine}) and kept versions; gauges read {@code Engine.State}. {@link Observation} guards
 * every call (a throwing observer is logged and ignored) and does nothing, not even read the
 * clock, when there is no observer. Hooks sit where the event is decided, never in
 * {@link ActiveProfile}.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>Store calls run on the engine's I/O pool ({@link Engine#io}), sized to what the store
 *       serves at once; saves through the batcher's flushers on the same pool.</li>
 *   <li>Timers (the auto-save wheel, the heartbeat, retries, waits, probes) run on the scheduler
 *       and only queue work for the I/O pool, so a virtual-time scheduler in tests never runs a
 *       store call on the test thread.</li>
 *   <li>User listeners run on the listener executor, serialised per profile and per signal
 *       ({@link SerialExecutor}, {@link Listeners}), in the order their events happened.</li>
 *   <li>An active profile's data is guarded by its lock, which {@code edit} and every encode of a
 *       save hold; its save cycle's state by the cycle's monitor.</li>
 * </ul>
 *
 * <p>The protocol is also written down as a Promela model that spin checks exhaustively, with
 * broken variants it must refute: {@code spec/README.md} at the root of the repository maps its
 * states and actions to the classes here.
 */
package dev.profileservice.internal;
