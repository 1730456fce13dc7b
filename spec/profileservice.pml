/*
 * ProfileService's session / save / gift protocol, for spin.
 *
 * One key, NS servers, NG gifts (one sender each), faults bounded by budgets. Names follow the
 * engine and the SPI; README.md in this directory maps each to its class and method.
 *
 * Properties (each assertion names its property, e.g. assert(P1_one_writer && ...)):
 *   P1 one writer      a save is applied only for the session that holds the current epoch
 *   P2 no lost update  a save applied extends the payload as stored: its session read or wrote
 *                      the stored payload last (nobody else's write is overwritten unseen)
 *   P3 exactly once    every sent gift is in exactly one place in the record (Active in the inbox,
 *                      Locked in the payload, or applied to the data) and never applied twice; the
 *                      final session finds every sent gift applied
 *   P4 release         the payload a release wrote is what the next acquisition reads
 *   P5 epoch           the epoch only grows: no session finds it below its own
 *   P6 lease           a live owner's session is taken only by FORCE_LOAD past its timeout: a steal
 *                      without it needs the owner's lease to have lapsed (by the store's clock)
 * and with -DLIVENESS the ltl claim `live` (at the end), under weak fairness: once faults stop,
 * every load completes and the final session applies every gift.
 *
 * Broken variants (verify.sh checks that each fails):
 *   BROKEN_UNFENCED_SAVE       save() ignores epoch and owner
 *   BROKEN_LOCK_OUTSIDE        the owner takes a gift out of the inbox with a writeInbox of its own,
 *                              apart from the fenced save that puts it in Locked
 *   BROKEN_UNFENCED_RELEASE    a save with release=true ignores epoch and owner
 *   BROKEN_LOADER_CLOCK        the lease is judged by the loader's clock, which may run ahead
 *   BROKEN_FORGET_BEFORE_READ  an uncertain lock is dropped before the read that settles it succeeds
 *                              (what the old ProfileImpl.snapshot did)
 *   BROKEN_APPLY_THEN_CLEAR    the game applies a Locked gift in one edit and clears it in another
 *   BROKEN_NO_RETRY            a failed save is dropped instead of retried (breaks liveness)
 *   SENDER_LOST_REPLY          (CAS inbox) a send whose reply was lost runs its handler again
 *                              (what StoreImpl.sendAttempt does today)
 *   BROKEN_APPEND_NO_DEDUPE    (append inbox) a retried append is not recognised
 *
 * Inbox designs: by default the compare-and-set inbox of today (writeInbox with a version); with
 * -DINBOX_APPEND the append log of issue 13 (appendInbox with a store-assigned id and an
 * idempotency token; the owner consumes a prefix of ids in its fenced save).
 *
 * Other switches: -DNO_BUS (no messages), -DNO_P1 and -DP3_END_ONLY (leave out the first check a
 * broken variant trips, to see the damage it does), and the bounds below.
 */

/* ------------------------------------------------------------------ bounds */
#ifndef NS
#define NS 2            /* servers that load and hold the key: ids 1..NS */
#endif
#ifndef NG
#define NG 2            /* gifts, one sender each (at most 2) */
#endif
#ifndef SENDERS
#define SENDERS 2       /* concurrent senders (1: one sender sends the NG gifts in turn) */
#endif
#ifndef LOADS
#define LOADS 1         /* loads per server */
#endif
#ifndef FAULTS
#define FAULTS 2        /* faults of any kind in one run */
#endif
#ifndef CRASHES
#define CRASHES 1
#endif
#ifndef PAUSES
#define PAUSES 1
#endif
#ifndef LOSTREPLIES
#define LOSTREPLIES 1   /* writes applied whose reply never arrives */
#endif
#ifndef CALLFAILS
#define CALLFAILS 1     /* store calls that fail without effect */
#endif
#ifndef FORCERELEASES
#define FORCERELEASES 1 /* admin forceRelease */
#endif
#ifndef DUPS
#define DUPS 1          /* duplicated messages */
#endif
#ifndef DROPS
#define DROPS 1         /* lost messages */
#endif

#if NS > 3 || NG > 2
#error "the model handles at most 3 servers and 2 gifts"
#endif

#ifdef LIVENESS
#define LIVE 1          /* loads use FORCE_LOAD: their request is sent once, so no message loop starves an owner */
#else
#define LIVE 0
#endif
#define DRAIN  (NS + 1)         /* the final session: loads once all servers and senders are done */
#define NID    (NS + 2)         /* ids 0 (none) .. DRAIN */
#define NONE   255              /* acquire(me, -1) */

#define BIT(i)     (1 << (i))
#define IN(x, i)   (((x) >> (i)) & 1)

/* A gift is logical gift L (0..NG-1); a second copy of it (a duplicate send) is entry L + NG. */
#define COPIES(e)  (IN(inbox, e) + IN(pLocked, e) + IN(pApplied, e) + IN(pTwice, e))
#define GIFT_OK(L) (COPIES(L) + COPIES(L + NG) == IN(gsent, L))
#if NG == 1
#define GIFTS_OK   GIFT_OK(0)
#else
#define GIFTS_OK   (GIFT_OK(0) && GIFT_OK(1))
#endif
#ifdef P3_END_ONLY
#define CHECK_GIFTS skip                 /* only the final session's check */
#else
#define CHECK_GIFTS assert(P3_exactly_once && GIFTS_OK)   /* at every write */
#endif

mtype = {
    /* session lifecycle (SaveCycle.Lifecycle), with the load before it and the server's end */
    NOSESSION, LOADING, ACTIVE, RELEASING, RELEASED, DONE, CRASHED,
    /* load steps (internal.Load) */
    L_ACQUIRE, L_STEAL, L_LEASE, L_WAIT,
    /* NotReleasedHandler answers */
    REPEAT, FORCE_LOAD,
    /* save cycle (SaveCycle + SaveBatcher); WRITING lasts one step, see flush */
    IDLE, QUEUED, WRITING, BACKOFF,
    /* SaveResult.Status */
    SAVED, LOST_SESSION, INBOX_CHANGED,
    /* outcome of a store call */
    OK, FAIL, LOST
};

/* ------------------------------------------------------------------ the record (Backend) */
byte epoch;                 /* fencing token */
byte owner;                 /* server id, 0 = none */
byte pData;                 /* payload: the data, as the epoch of the session that wrote it */
byte pLocked;               /* payload: Locked gifts */
byte pApplied;              /* payload: gifts applied to the data */
byte pTwice;                /* payload: gifts applied twice */
byte inbox;                 /* Active gifts (APPEND: the log past the consumed prefix) */
byte inboxVersion;          /* CAS version */
#ifdef INBOX_APPEND
byte seq[2 * NG];           /* store-assigned id of each entry */
byte nextId;
byte tokens;                /* idempotency tokens the store has seen (one per logical gift) */
#endif
bool leaseExp[NID];         /* Backend.server(id): expired for more than the grace, by the store's clock */

/* ------------------------------------------------------------------ between servers */
short msgs[NID];            /* MessageBus: each server's pending messages, a set */
#define M_RELEASED   1                      /* RELEASED: the key you wait for was released */
#define M_NEW_UPDATE 2                      /* NEW_UPDATE: a gift arrived for a key you hold */
#define M_PLEASE(j)  (1 << (1 + (j)))       /* PLEASE_RELEASE from server j (FORCE_LOAD) */
#define M_NOTIFY(j)  (1 << (1 + NID + (j))) /* NOTIFY_ON_RELEASE from server j (REPEAT) */
bool up[NID];               /* subscribed to the bus: not crashed, not done */

/* ------------------------------------------------------------------ ghosts (properties only) */
byte gsent;                 /* P3: logical gifts made durable by a send */
bool relArmed;              /* P4: a release was applied and nobody acquired since */
byte relData, relLocked, relApplied, relTwice;
bool seen[NID];             /* P2: the session's state derives from the payload as stored */
bool lapsed[NID];           /* P6: the server's lease lapsed during its current session */

/* ------------------------------------------------------------------ fault budgets, progress */
byte faults, crashes, pauses, lostReplies, callFails, forceReleases, dups, drops;
byte finished;              /* servers done or crashed */
byte sendersDone;
bool drained;               /* the final session released */

#ifdef LIVENESS
bool forceWait[NID];        /* a FORCE_LOAD waits for its timeout ... */
bool forcePast[NID];        /* ... which has passed (set by Timer, so weak fairness applies to it) */
#endif

/* constants that name each property in the assertion, so that pan's report says which one failed */
hidden byte P1_one_writer = 1, P2_no_lost_update = 1, P3_exactly_once = 1, P3_all_applied = 1;
hidden byte P4_release = 1, P5_epoch = 1, P6_lease = 1;

hidden byte g, k;           /* scratch, only within one atomic step */
hidden short j;
hidden byte acquired, dead;
hidden mtype oc, res;
/* the write of one cycle (the snapshot of SaveCycle.begin), also only within its step */
hidden byte rqRelease, rqData, rqLocked, rqApplied, rqTwice, rqNewlyLocked, rqNewInbox, rqExpected;

#ifdef BROKEN_NO_RETRY
#define RETRY IDLE          /* a failed save is dropped, not retried */
#else
#define RETRY BACKOFF
#endif

#define FAULT(budget, max) (me != DRAIN && faults < FAULTS && budget < max)

/* ------------------------------------------------------------------ store operations (each one atomic step) */

/* One store call: answered, failed without effect, or applied with its reply lost (writes only). */
inline outcome(isWrite) {
    if
    :: oc = OK
    :: FAULT(callFails, CALLFAILS) -> faults++; callFails++; oc = FAIL
    :: isWrite && FAULT(lostReplies, LOSTREPLIES) -> faults++; lostReplies++; oc = LOST
    fi
}

/* Backend.acquire(me, expectedEpoch) */
inline acquire(expected) {
    if
    :: (expected == NONE && owner == 0) || (expected != NONE && epoch == expected) ->
        assert(P6_lease && (expected == NONE || owner == 0 || owner == me || stealForced || lapsed[owner]));
        assert(P4_release && (!relArmed || pData == relData && pLocked == relLocked && pApplied == relApplied && pTwice == relTwice));
        relArmed = false; relData = 0; relLocked = 0; relApplied = 0; relTwice = 0;
        epoch++;                                     /* P5: the only change to the epoch, with forceRelease */
        owner = me;
        acquired = true
    :: else -> acquired = false
    fi
}

/* Backend.save(serverId, epoch, payload, release, expectedInboxVersion, newInbox): the fenced write */
#if defined(BROKEN_UNFENCED_SAVE)
#define FENCED true
#elif defined(BROKEN_UNFENCED_RELEASE)
#define FENCED (rqRelease || (epoch == ep && owner == me))
#else
#define FENCED (epoch == ep && owner == me)
#endif

inline save() {
    assert(P5_epoch && epoch >= ep);                 /* never below a session's own */
    if
    :: !FENCED -> res = LOST_SESSION
#ifndef INBOX_APPEND
    :: FENCED && rqNewlyLocked != 0 && inboxVersion != rqExpected -> res = INBOX_CHANGED
    :: FENCED && (rqNewlyLocked == 0 || inboxVersion == rqExpected) ->
#else
    :: FENCED ->
#endif
#ifndef NO_P1
        assert(P1_one_writer && epoch == ep && owner == me);
#endif
        assert(P2_no_lost_update && seen[me]);
        k = 0; do :: k < NID -> seen[k] = false; k++ :: else -> break od; k = 0;
        seen[me] = true;
        pData = rqData; pLocked = rqLocked; pApplied = rqApplied; pTwice = rqTwice;
        if
        :: rqNewlyLocked != 0 ->
#ifndef INBOX_APPEND
            inbox = rqNewInbox; inboxVersion++       /* the inbox CAS, in the same atomic write */
#else
            /* consume the prefix of ids up to the largest one locked */
            k = 0;
            do
            :: k < 2 * NG -> if :: seq[k] != 0 && seq[k] <= rqExpected -> inbox = inbox & ~BIT(k) :: else fi; k++
            :: else -> break
            od;
            k = 0
#endif
        :: else
        fi;
        if
        :: rqRelease -> owner = 0;
            relArmed = true; relData = pData; relLocked = pLocked; relApplied = pApplied; relTwice = pTwice
        :: else
        fi;
        CHECK_GIFTS;
        res = SAVED
    fi
}

/* ------------------------------------------------------------------ engine helpers (inlined into Server) */

/* HandOver.send: best effort */
inline publish(to, m) {
#ifdef NO_BUS
    skip
#else
    if
    :: up[to] -> msgs[to] = msgs[to] | (m)
    :: !up[to]                                       /* nobody listens */
    :: up[to] && FAULT(drops, DROPS) -> faults++; drops++   /* lost */
    fi
#endif
}

/* HandOver.released: tell every watcher */
inline notifyWatchers() {
    k = 1;
    do
    :: k < NID -> if :: IN(watchers, k) -> publish(k, M_RELEASED) :: else fi; k++
    :: else -> break
    od;
    k = 0; watchers = 0
}

inline clearSession() {
    ep = 0; data = 0; locked = 0; applied = 0; twice = 0;
    lin = 0; lver = 0; pend = 0; unc = 0; dirty = false;
    sc = IDLE; wantRelease = false;
    seen[me] = false
}

inline clearLoad() {
    ld = 0; handler = 0; forcing = false; forcedEpoch = 0;
    seenOwner = 0; seenEpoch = 0; stealForced = false;
#ifdef LIVENESS
    forceWait[me] = false; forcePast[me] = false
#endif
}

/* SaveCycle.finish: RELEASED; the slot is free */
inline finish() {
    clearSession();
    lapsed[me] = false;     /* the session is over (a crash leaves it in the record) */
    ph = RELEASED;
    notifyWatchers()
}

/* SaveCycle.lost: refused (LOST_SESSION, or a read showing another session). A release whose
   first attempt was applied and its reply lost ends here as released: same end state. */
inline lost() {
    finish()
}

/* Load.acquired + StoreImpl.open: the profile as stored */
inline open() {
    clearLoad();
    ph = ACTIVE; ep = epoch;
    data = ep;              /* the payload counts loads: this session's data differs from any other's */
    locked = pLocked; applied = pApplied; twice = pTwice;
    lin = inbox; lver = inboxVersion;
    dirty = true;           /* so its first save writes */
    sc = IDLE;
#ifdef BROKEN_APPLY_THEN_CLEAR
    handled = 0;
#endif
    seen[me] = true;
    lapsed[me] = leaseExp[me]
}

/* Load.held(record): the acquire was refused; the record names the owner */
inline held() {
    if
    :: owner == 0 -> ld = L_ACQUIRE
    :: owner == me -> ld = L_STEAL; seenEpoch = epoch; stealForced = false   /* our own acquire, its reply lost */
    :: owner != 0 && owner != me && forcing && epoch != forcedEpoch ->
        clearLoad(); ph = NOSESSION                  /* another server took it meanwhile: the load returns empty */
    :: owner != 0 && owner != me && forcing && epoch == forcedEpoch ->
#ifndef LIVENESS
        if
        :: ld = L_STEAL; seenEpoch = epoch; stealForced = true   /* forceLoadTimeout has passed */
        :: ld = L_LEASE; seenOwner = owner; seenEpoch = epoch
        fi
#else
        if
        :: forcePast[me] -> ld = L_STEAL; seenEpoch = epoch; stealForced = true
        :: else -> ld = L_LEASE; seenOwner = owner; seenEpoch = epoch
        fi
#endif
    :: owner != 0 && owner != me && !forcing ->
        ld = L_LEASE; seenOwner = owner; seenEpoch = epoch
    fi
}

/* SaveCycle.request / claimAutoSave */
inline requestSave(rel) {
    if
    :: ph == ACTIVE || ph == RELEASING ->
        if :: rel -> wantRelease = true :: else fi;
        if
        :: sc == IDLE -> sc = QUEUED
        :: else                                      /* QUEUED or BACKOFF: that cycle takes it along */
        fi
    :: else
    fi
}

/* ActiveProfile.releaseAsync */
inline releaseAsync() {
    if
    :: ph == ACTIVE -> ph = RELEASING; requestSave(true)
    :: else
    fi
}

/* GiftLedger.adopt */
inline adopt() {
    lin = inbox; lver = inboxVersion
}

/* SaveCycle.done */
inline endCycle() {
    if
    :: ph == RELEASING && wantRelease -> sc = QUEUED
    :: else -> sc = IDLE
    fi
}

/* pick one set bit of m into g (m != 0) */
inline pick(m) {
    if
    :: IN(m, 0) -> g = 0
    :: IN(m, 1) -> g = 1
#if NG > 1
    :: IN(m, 2) -> g = 2
    :: IN(m, 3) -> g = 3
#endif
    fi
}

/*
 * WRITING: SaveCycle.begin (the snapshot, taken under the data lock) and the store call, as one
 * step. Between the two the engine runs only this server's game (whose edits the next cycle saves,
 * as if they came after the call) and other processes (as if they ran before the snapshot), so the
 * one step loses no outcome. A pause or crash before it is one with the snapshot in hand. The flag
 * `again` (a request while WRITING) therefore never arises; a request while QUEUED or BACKOFF is
 * taken along by that cycle.
 */
inline flush() {
    sc = WRITING;           /* never stored: every path below leaves it */
    rqRelease = wantRelease;
    /* pending locks gone from the inbox after a save with an unknown outcome: the stored payload decides */
    if
    :: (pend & ~lin & unc) != 0 ->
#ifdef BROKEN_FORGET_BEFORE_READ
        k = pend & ~lin & unc;
        pend = pend & ~k; unc = unc & ~k;            /* dropped first (as the iterator does), then read */
#endif
        outcome(false);                              /* Backend.read */
        if
        :: oc == OK ->
#ifndef BROKEN_FORGET_BEFORE_READ
            k = pend & ~lin & unc;
            pend = pend & ~k; unc = unc & ~k;
#endif
            locked = locked | (k & pLocked)          /* that save did lock them */
        :: else -> sc = BACKOFF                      /* failed(): retried later, nothing dropped */
        fi;
        k = 0
    :: else
    fi;
    if
    :: sc == BACKOFF
    :: else ->
        pend = pend & (lin | unc);                   /* cleared by its sender before our lock */
        rqNewlyLocked = pend & lin;
        if
        :: !rqRelease && rqNewlyLocked == 0 && !dirty ->
            outcome(false);                          /* nothing changed: checkSession, a Backend.read */
            assert(P5_epoch && epoch >= ep);
            if
            :: oc == OK && (epoch != ep || owner != me) -> lost()
            :: oc == OK && epoch == ep && owner == me -> adopt(); endCycle()
            :: oc != OK -> sc = BACKOFF
            fi
        :: else ->
            rqData = data; rqLocked = locked | rqNewlyLocked; rqApplied = applied; rqTwice = twice;
#ifndef INBOX_APPEND
            rqNewInbox = lin & ~rqNewlyLocked; rqExpected = lver;
#else
            k = 0;                                   /* the largest id locked: the locks are a prefix */
            do
            :: k < 2 * NG -> if :: IN(rqNewlyLocked, k) && seq[k] > rqExpected -> rqExpected = seq[k] :: else fi; k++
            :: else -> break
            od;
            k = 0;
#endif
            outcome(true);                           /* Backend.save, from SaveBatcher.write */
            if
            :: oc == FAIL ->                         /* PendingSave.fail: outcome unknown */
                unc = unc | rqNewlyLocked; sc = RETRY
            :: oc == LOST ->
                save();
                unc = unc | rqNewlyLocked; sc = RETRY
            :: oc == OK ->                           /* PendingSave.complete */
                save();
                if
                :: res == SAVED ->
                    dirty = false;
                    locked = locked | rqNewlyLocked;
                    pend = pend & ~rqNewlyLocked; unc = unc & ~rqNewlyLocked;
                    adopt();
                    if
                    :: rqRelease -> finish(); if :: me == DRAIN -> drained = true :: else fi
                    :: else -> endCycle()
                    fi
                :: res == LOST_SESSION -> lost()
                :: res == INBOX_CHANGED -> adopt(); sc = QUEUED   /* rebase on it and retry at once */
                fi
            fi
        fi
    fi;
    rqRelease = 0; rqData = 0; rqLocked = 0; rqApplied = 0; rqTwice = 0;
    rqNewlyLocked = 0; rqNewInbox = 0; rqExpected = 0; res = 0; oc = 0
}

/* ------------------------------------------------------------------ a server (Engine + Load + ActiveProfile + SaveCycle) */

proctype Server(byte me) {
    mtype ph = NOSESSION;   /* lifecycle */
    bool paused;
    byte loads;
    bool ahead;             /* BROKEN_LOADER_CLOCK: this server's clock runs ahead */
    /* the load (internal.Load) */
    mtype ld, handler;      /* handler: the NotReleasedHandler's answer for this load */
    bool forcing, stealForced;
    byte forcedEpoch, seenOwner, seenEpoch;
    /* the active profile (ActiveProfile, its SaveCycle and GiftLedger) */
    byte ep;                              /* session epoch */
    byte data, locked, applied, twice;    /* the payload as this session has it */
    byte lin, lver;                       /* the inbox as last adopted */
    byte pend;                            /* pendingLocks */
    byte unc;                             /* uncertainLocks */
    bool dirty;                           /* differs from the payload last saved (lastSavedDigest) */
    mtype sc = IDLE;                      /* save cycle */
    bool wantRelease;
    byte watchers;                        /* servers to tell RELEASED when the session ends */
#ifdef BROKEN_APPLY_THEN_CLEAR
    byte handled;                         /* applied by this session's listener, not yet cleared */
#endif

#ifdef BROKEN_LOADER_CLOCK
    if :: ahead = true :: skip fi;
#endif
    up[me] = true;
    do
    /* ---------------- faults */
    :: atomic { !paused && ph != CRASHED && FAULT(crashes, CRASHES) ->
        faults++; crashes++; clearSession(); clearLoad(); ph = CRASHED; up[me] = false; msgs[me] = 0; watchers = 0 }
    :: atomic { ph == CRASHED -> leaseExp[me] = true; lapsed[me] = true; finished++; break }   /* no heartbeat any more */
    :: atomic { !paused && ph != CRASHED && FAULT(pauses, PAUSES) -> faults++; pauses++; paused = true }
    :: atomic { paused && !leaseExp[me] -> leaseExp[me] = true; lapsed[me] = true }   /* its lease runs out */
    :: atomic { paused -> paused = false; leaseExp[me] = false }   /* resumes; the heartbeat renews the lease */

    /* ---------------- load (ProfileStore.loadProfile -> internal.Load) */
    :: atomic { !paused && (ph == NOSESSION || ph == RELEASED) && (me != DRAIN && loads < LOADS || me == DRAIN && !drained && finished == NS && sendersDone == NG) ->
        loads++; ph = LOADING; ld = L_ACQUIRE }
    :: atomic { !paused && (ph == NOSESSION || ph == RELEASED) && (me != DRAIN && loads == LOADS || me == DRAIN && drained) ->
        ph = DONE; up[me] = false; msgs[me] = 0; watchers = 0; finished++;
        if
        :: me == DRAIN -> assert(P3_all_applied && inbox == 0 && pLocked == 0 && pTwice == 0 && pApplied == gsent)
        :: else
        fi;
        break }
    :: atomic { !paused && ph == LOADING && (ld == L_ACQUIRE || ld == L_STEAL) ->   /* attempt() / steal(epoch) */
        outcome(true);
        if
        :: oc == FAIL -> if :: skip :: clearLoad(); ph = NOSESSION fi   /* engine.call retries; or the load fails */
        :: oc == LOST -> if :: ld == L_ACQUIRE -> acquire(NONE) :: else -> acquire(seenEpoch) fi
        :: oc == OK ->
            if :: ld == L_ACQUIRE -> acquire(NONE) :: else -> acquire(seenEpoch) fi;
            if
            :: acquired -> open()
            :: else -> held()
            fi
        fi;
        acquired = false; oc = 0 }
    :: atomic { !paused && ph == LOADING && ld == L_LEASE ->   /* Backend.server(owner), Load.ownerDead */
        outcome(false);
        if
        :: oc != OK -> if :: skip :: clearLoad(); ph = NOSESSION fi
        :: else ->
#ifdef BROKEN_LOADER_CLOCK
            dead = leaseExp[seenOwner] || ahead;     /* the owner's expiry time read against our clock */
#else
            dead = leaseExp[seenOwner];              /* the store's judgement */
#endif
            if
            :: dead -> ld = L_STEAL; stealForced = false; seenOwner = 0   /* steal(record.epoch) */
            :: !dead && forcing -> ld = L_WAIT; seenOwner = 0; seenEpoch = 0
            :: !dead && !forcing ->
                if                                   /* NotReleasedHandler.onNotReleased, once per load */
                :: handler == 0 && me != DRAIN && !LIVE -> handler = REPEAT
                :: handler == 0 -> handler = FORCE_LOAD
                :: handler != 0
                fi;
                if
                :: handler == REPEAT -> publish(seenOwner, M_NOTIFY(me))
                :: handler == FORCE_LOAD -> forcing = true; forcedEpoch = seenEpoch;
#ifdef LIVENESS
                    forceWait[me] = true;
#endif
                    publish(seenOwner, M_PLEASE(me))
                fi;
                ld = L_WAIT; seenOwner = 0; seenEpoch = 0   /* askThenAttempt */
            fi;
            dead = false
        fi;
        oc = 0 }
    :: atomic { !paused && ph == LOADING && ld == L_WAIT -> ld = L_ACQUIRE }   /* waitForRelease: the poll interval */

    /* ---------------- the game, on its active profile */
    :: atomic { !paused && ph == ACTIVE && (lin & ~pend) != 0 ->           /* GlobalUpdates.lockActiveUpdate */
#ifndef INBOX_APPEND
        pick(lin & ~pend);
#else
        g = 255; k = 0;                              /* in id order: the locks are a prefix of the ids */
        do
        :: k < 2 * NG -> if :: IN(lin & ~pend, k) && (g == 255 || seq[k] < seq[g]) -> g = k :: else fi; k++
        :: else -> break
        od;
        k = 0;
#endif
#ifdef BROKEN_LOCK_OUTSIDE
        /* out of the inbox now, with a writeInbox of our own; into Locked at the next save */
        if
        :: inboxVersion == lver -> inbox = inbox & ~BIT(g); inboxVersion++; adopt();
            locked = locked | BIT(g); dirty = true;
            CHECK_GIFTS
        :: else -> adopt()
        fi;
#else
        pend = pend | BIT(g);
#endif
        g = 0;
        requestSave(false) }
#ifndef BROKEN_APPLY_THEN_CLEAR
    :: atomic { !paused && ph == ACTIVE && locked != 0 ->  /* Locked listener: clear and apply in one edit */
        pick(locked);
        locked = locked & ~BIT(g);
#else
    :: atomic { !paused && ph == ACTIVE && (locked & ~handled) != 0 ->   /* Locked listener: apply ... */
        pick(locked & ~handled);
        handled = handled | BIT(g);
#endif
        if
        :: IN(applied, g) -> twice = twice | BIT(g)
        :: else -> applied = applied | BIT(g)
        fi;
        g = 0; dirty = true;
        requestSave(false) }
#ifdef BROKEN_APPLY_THEN_CLEAR
    :: atomic { !paused && ph == ACTIVE && (locked & handled) != 0 ->    /* ... and clear it in a later edit */
        locked = locked & ~handled; handled = 0; dirty = true; requestSave(false) }
#endif
    :: atomic { !paused && ph == ACTIVE && (me != DRAIN || (lin == 0 && locked == 0 && pend == 0 && sc == IDLE)) ->
        releaseAsync() }                             /* Profile.release (the player leaves) */

    /* ---------------- the save cycle (SaveCycle + SaveBatcher) */
    :: atomic { !paused && (sc == QUEUED || sc == BACKOFF) -> sc = QUEUED; flush() }   /* WRITING (from BACKOFF: after its timer) */

    /* ---------------- messages (HandOver.onMessage) */
    :: atomic { !paused && ph != CRASHED && msgs[me] != 0 ->
        if
        :: msgs[me] & M_RELEASED -> j = M_RELEASED
        :: msgs[me] & M_NEW_UPDATE -> j = M_NEW_UPDATE
        :: msgs[me] & (M_PLEASE(1) | M_NOTIFY(1)) -> k = 1; j = msgs[me] & (M_PLEASE(1) | M_NOTIFY(1))
        :: msgs[me] & (M_PLEASE(2) | M_NOTIFY(2)) -> k = 2; j = msgs[me] & (M_PLEASE(2) | M_NOTIFY(2))
        :: NID > 3 && (msgs[me] & (M_PLEASE(3) | M_NOTIFY(3))) -> k = 3; j = msgs[me] & (M_PLEASE(3) | M_NOTIFY(3))
        :: NID > 4 && (msgs[me] & (M_PLEASE(4) | M_NOTIFY(4))) -> k = 4; j = msgs[me] & (M_PLEASE(4) | M_NOTIFY(4))
        fi;
        if
        :: j == M_RELEASED ->                        /* stop waiting, look again now */
            if :: ph == LOADING && ld == L_WAIT -> ld = L_ACQUIRE :: else fi
        :: j == M_NEW_UPDATE -> requestSave(false)   /* a gift arrived: sync now */
        :: else ->                                   /* PLEASE_RELEASE or NOTIFY_ON_RELEASE from k */
            if
            :: ph == ACTIVE -> watchers = watchers | BIT(k);
                if :: j & M_PLEASE(k) -> releaseAsync() :: else fi
            :: ph == RELEASING || ph == LOADING -> watchers = watchers | BIT(k)
            :: else -> publish(k, M_RELEASED)        /* not ours: look again now */
            fi
        fi;
        if
        :: msgs[me] = msgs[me] & ~j
        :: FAULT(dups, DUPS) -> faults++; dups++     /* delivered again later */
        fi;
        j = 0; k = 0 }
    od
}

/* ------------------------------------------------------------------ senders (StoreImpl.globalUpdateProfile) */

proctype Sender(byte L) {
    byte me = 0;            /* not a server: for FAULT() */
#ifndef INBOX_APPEND
    byte readVersion, readInbox;
read:
    atomic {                                         /* Backend.read; the handler adds the gift */
        outcome(false);
        if
        :: oc == OK -> oc = 0; readInbox = inbox; readVersion = inboxVersion
        :: else -> oc = 0; goto read
        fi }
send:
    atomic {                                         /* Backend.writeInbox(version, inbox + gift) */
        if
        :: oc = OK
        :: FAULT(callFails, CALLFAILS) -> faults++; callFails++; oc = FAIL
#ifdef SENDER_LOST_REPLY
        :: FAULT(lostReplies, LOSTREPLIES) -> faults++; lostReplies++; oc = LOST
#endif
        fi;
        if
        :: oc == FAIL -> oc = 0; goto send           /* engine.call retries the same write */
        :: else
        fi;
        if
        :: inboxVersion == readVersion ->
            if                                       /* each run of the handler adds a new update */
            :: IN(gsent, L) -> inbox = readInbox | BIT(L + NG)
            :: else -> inbox = readInbox | BIT(L)
            fi;
            gsent = gsent | BIT(L); inboxVersion++;
            CHECK_GIFTS;
            if
            :: oc == OK -> if :: owner != 0 -> publish(owner, M_NEW_UPDATE) :: else fi
            :: else -> oc = 0; goto send             /* reply lost: the retry finds the version moved */
            fi
        :: else -> oc = 0; goto read                 /* another writer was first: run the handler again */
        fi;
        oc = 0; readInbox = 0; readVersion = 0; sendersDone++ }
#else
append:
    atomic {                                         /* Backend.appendInbox(token, gift): no read, no conflict */
        if
        :: oc = OK
        :: FAULT(callFails, CALLFAILS) -> faults++; callFails++; oc = FAIL
        :: FAULT(lostReplies, LOSTREPLIES) -> faults++; lostReplies++; oc = LOST
        fi;
        if
        :: oc == FAIL -> oc = 0; goto append
        :: else
        fi;
        if
#ifndef BROKEN_APPEND_NO_DEDUPE
        :: IN(tokens, L)                             /* the retry of an append the store has: no-op */
#endif
        :: else ->
            nextId++;
            if
            :: IN(tokens, L) -> inbox = inbox | BIT(L + NG); seq[L + NG] = nextId
            :: else -> inbox = inbox | BIT(L); seq[L] = nextId
            fi;
            tokens = tokens | BIT(L); gsent = gsent | BIT(L);
            CHECK_GIFTS
        fi;
        if
        :: oc == OK -> if :: owner != 0 -> publish(owner, M_NEW_UPDATE) :: else fi
        :: else -> oc = 0; goto append               /* reply lost: retried with the same token */
        fi;
        oc = 0; sendersDone++ }
#endif
}

proctype Senders() {
    run Sender(0);
    (sendersDone == 1);
    if :: NG > 1 -> run Sender(1) :: else fi
}

/* ------------------------------------------------------------------ an admin (Backend.forceRelease) */

proctype Admin() {
    byte me = 0;
    if
    :: atomic { FAULT(forceReleases, FORCERELEASES) -> faults++; forceReleases++; epoch++; owner = 0 }
    :: skip
    fi
}

#ifdef LIVENESS
/* forceLoadTimeout: a clock of its own, so that weak fairness makes it pass */
proctype Timer(byte me) {
end:
    do
    :: atomic { forceWait[me] && !forcePast[me] -> forcePast[me] = true }
    od
}

/* once faults stop and players leave, every load completes and the final session drains the gifts */
ltl live { <> drained }
#endif

init {
    byte i = 1;
    atomic {
        do
        :: i <= DRAIN -> run Server(i);
#ifdef LIVENESS
            run Timer(i);
#endif
            i++
        :: else -> break
        od;
        i = 0;
        do
        :: i < NG && SENDERS > 1 -> run Sender(i); i++
        :: i < NG && SENDERS == 1 -> run Senders(); i = NG
        :: else -> break
        od;
        run Admin()
    }
}
