package io.gantry.simulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SplitMix64. Written out here rather than using {@code SplittableRandom} so that the simulator's
 * output stays identical across JDK versions.
 */
final class Prng {
  private long state;

  Prng(long seed) {
    this.state = seed;
  }

  /** A generator seeded by several values, so different purposes get independent streams. */
  static Prng of(long... parts) {
    long h = 0x2545F4914F6CDD1DL;
    for (long p : parts) {
      h = mix(h ^ p) + 0x9E3779B97F4A7C15L;
    }
    return new Prng(h);
  }

  long nextLong() {
    state += 0x9E3779B97F4A7C15L;
    return mix(state);
  }

  /** 0 (inclusive) to bound (exclusive); the modulo bias is irrelevant here. */
  int nextInt(int bound) {
    return (int) Math.floorMod(nextLong(), (long) bound);
  }

  /** lo..hi inclusive. */
  int between(int lo, int hi) {
    return lo + nextInt(hi - lo + 1);
  }

  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  boolean nextBoolean() {
    return (nextLong() & 1) == 1;
  }

  /** Box-Muller with StrictMath, so results do not depend on the JVM's intrinsics. */
  double nextGaussian() {
    double u = Math.max(nextDouble(), 1e-12);
    double v = nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long hash(String text) {
    return hash(text.getBytes(StandardCharsets.UTF_8));
  }

  static long hash(byte[] bytes) {
    return ByteBuffer.wrap(sha256(bytes)).getLong();
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
