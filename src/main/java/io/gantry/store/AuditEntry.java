package io.gantry.store;

/**
 * One audit record. {@code detailJson} is a JSON object and never holds a secret.
 *
 * @param actor who acted: {@code admin}, {@code cli} or a key id; null when unknown
 * @param source the client address, when there is one
 */
public record AuditEntry(
    String id,
    long atMillis,
    String action,
    String actor,
    String target,
    String source,
    String detailJson) {}
