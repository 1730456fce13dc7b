package dev.profileservice;

/**
 * The server that holds a profile's session lock: ProfileService's {@code {place_id, game_job_id}}.
 *
 * @param placeId the owner's place id
 * @param jobId   the owner's job id
 */
public record ActiveSession(String placeId, String jobId) {}
