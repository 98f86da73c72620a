package io.gantry.observe;

import java.util.Arrays;

/**
 * A classic histogram's bucket counts over some interval: {@code counts[i]} observations fell in
 * {@code (upperBounds[i-1], upperBounds[i]]} (not cumulative), the last bound being +Inf.
 */
public record Buckets(double[] upperBounds, long[] counts) {
  public static final Buckets EMPTY = new Buckets(new double[0], new long[0]);

  public Buckets {
    if (upperBounds.length != counts.length) {
      throw new IllegalArgumentException("one count per upper bound");
    }
  }

  public long total() {
    long sum = 0;
    for (long c : counts) {
      sum += c;
    }
    return sum;
  }

  /** The counts of both (same bounds); an empty side counts as zero. */
  public Buckets plus(Buckets other) {
    if (other.counts.length == 0) {
      return this;
    }
    if (counts.length == 0) {
      return other;
    }
    if (!Arrays.equals(upperBounds, other.upperBounds)) {
      throw new IllegalArgumentException("buckets with different bounds");
    }
    long[] sum = counts.clone();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += other.counts[i];
    }
    return new Buckets(upperBounds, sum);
  }

  /** What was added since {@code earlier} (a reset or a missing series counts from zero). */
  public Buckets minus(Buckets earlier) {
    if (earlier.counts.length == 0 || !Arrays.equals(upperBounds, earlier.upperBounds)) {
      return this;
    }
    long[] diff = counts.clone();
    for (int i = 0; i < diff.length; i++) {
      diff[i] = Math.max(0, diff[i] - earlier.counts[i]);
    }
    return new Buckets(upperBounds, diff);
  }

  /**
   * The q-quantile as Prometheus' {@code histogram_quantile} estimates it: find the bucket holding
   * the rank, interpolate linearly inside it (the first bucket starts at 0), and answer the highest
   * finite bound when the rank falls in the +Inf bucket. NaN when there are no observations.
   */
  public double quantile(double q) {
    long total = total();
    if (total == 0 || q < 0 || q > 1) {
      return Double.NaN;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < counts.length; i++) {
      long inBucket = counts[i];
      if (inBucket > 0 && below + inBucket >= rank) {
        double lower = i == 0 ? 0 : upperBounds[i - 1];
        double upper = upperBounds[i];
        if (Double.isInfinite(upper)) {
          return lower;
        }
        if (i == 0 && upper <= 0) {
          return upper;
        }
        return lower + (upper - lower) * ((rank - below) / inBucket);
      }
      below += inBucket;
    }
    return upperBounds.length > 1 ? upperBounds[upperBounds.length - 2] : Double.NaN;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Buckets b
        && Arrays.equals(upperBounds, b.upperBounds)
        && Arrays.equals(counts, b.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(upperBounds) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "Buckets" + Arrays.toString(upperBounds) + "=" + Arrays.toString(counts);
  }
}
