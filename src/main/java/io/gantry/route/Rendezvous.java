package io.gantry.route;

import java.nio.charset.StandardCharsets;

/**
 * Weighted rendezvous (highest random weight) hashing: every (session, replica) pair gets a score,
 * and a session prefers the replica with the highest one. When a replica leaves, only its own
 * sessions move; no state is kept.
 */
final class Rendezvous {
  private Rendezvous() {}

  static double score(String session, String replica, double weight) {
    long h = hash(session + '\u0000' + replica);
    // A uniform number in (0, 1), then -w / ln(u): the weighted form of the HRW score.
    double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
    return -weight / Math.log(u);
  }

  private static long hash(String text) {
    long h = 0xcbf29ce484222325L; // FNV-1a, then a SplitMix64 finish to spread the bits
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
