package io.gantry.store;

/** A background response still to run (or running): its id and the request that makes it. */
public record BackgroundJob(String responseId, String requestJson, long createdAt) {}
