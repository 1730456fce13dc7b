package dev.profileservice.spi;

/**
 * One Active global update waiting in a profile's inbox, as the store keeps it.
 *
 * @param id      the update's id: given by the store when it was added, one more than the last id
 *                the profile's inbox ever gave ({@link StoredProfile#updateSeq()}); never reused
 * @param version 1 when added, one more on every change by a sender; a write that consumes or
 *                changes the update names the version it saw, so it never acts on newer data
 * @param data    the engine's encoding of the update's data (opaque to the store)
 */
public record PendingUpdate(long id, long version, byte[] data) {}
