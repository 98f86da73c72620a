package io.gantry.govern;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key secrets: 32 random bytes from {@link SecureRandom} behind a recognizable prefix. Only their
 * SHA-256 is stored. A plain hash is enough here (no salt, no slow KDF): a 256-bit random secret
 * cannot be guessed from its hash, unlike a password.
 */
public final class KeySecrets {
  public static final String PREFIX = "sk-gantry-";
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeySecrets() {}

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Hex SHA-256 of the secret. */
  public static String hash(String secret) {
    return HexFormat.of().formatHex(digest(secret.getBytes(StandardCharsets.UTF_8)));
  }

  /** What lists show: the prefix and four characters, enough to tell keys apart. */
  public static String displayPrefix(String secret) {
    int end = Math.min(secret.length(), PREFIX.length() + 4);
    return secret.substring(0, end) + "...";
  }

  /** Compares two secrets in time independent of where they differ. */
  public static boolean sameSecret(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    // Hashing first makes both inputs the same length, so the length is not leaked either.
    return MessageDigest.isEqual(
        digest(a.getBytes(StandardCharsets.UTF_8)), digest(b.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] digest(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
