package io.gantry.config;

/**
 * Several replicas on one store ({@code cluster}). Every background job a replica runs is owned by
 * it under a lease in the store, renewed by heartbeat; a lease that runs out lets another replica
 * take the job over.
 *
 * @param leaseSeconds how long a job's owner may go silent before another replica takes it over
 * @param replicaId this replica's name in the store and in logs (default: host name and pid)
 */
public record ClusterConfig(Integer leaseSeconds, String replicaId) {
  public static final ClusterConfig DEFAULTS = new ClusterConfig(null, null);

  public ClusterConfig {
    leaseSeconds = leaseSeconds == null ? 10 : leaseSeconds;
    replicaId = replicaId == null || replicaId.isBlank() ? defaultReplicaId() : replicaId;
  }

  private static String defaultReplicaId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
