package dev.profileservice;

import java.util.Map;

/**
 * One global update: ProfileService's {@code {update_id, update_data}}. Ids are unique per profile key
 * and grow with every update sent to it. {@code data} is an unmodifiable deep copy.
 *
 * @param id   the update id
 * @param data the sender's data
 */
public record GlobalUpdate(long id, Map<String, Object> data) {}
