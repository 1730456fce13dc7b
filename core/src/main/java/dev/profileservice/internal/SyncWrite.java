package dev.profileservice.internal;

import dev.profileservice.spi.SaveRequest;
import java.util.List;
import java.util.Map;

/**
 * What one sync of an {@link ActiveProfile} writes, encoded under the profile's data lock
 * ({@link ActiveProfile#snapshot}) and handed to the {@link SaveCycle}. Immutable; arrays are not copied.
 *
 * @param payload              the encoded payload (null when there is nothing to write)
 * @param digest               its SHA-256, to recognise an unchanged profile next time
 * @param toLock               the Active updates this save locks
 * @param consume              what the save takes out of the inbox (the locked updates, and
 *                             those that do not decode), at the versions seen
 * @param tags                 the meta tags as written (MetaTagsLatest once saved)
 * @param write                false when nothing changed: the sync is a read
 * @param release              whether the write also frees the session
 * @param userIds              the user ids, when the store's index of them must change; else null
 */
record SyncWrite(
        byte[] payload,
        byte[] digest,
        List<Codec.ActiveUpdate> toLock,
        List<SaveRequest.Consume> consume,
        Map<String, Object> tags,
        boolean write,
        boolean release,
        List<Long> userIds) {}
