package io.gantry.api.responses;

import io.gantry.core.InvalidTurnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code reasoning.encrypted_content}: the reasoning text sealed with AES-GCM under a key only this
 * gateway holds (created once in the data dir), so a client can hand reasoning back without being
 * able to read or forge it.
 */
final class ReasoningSealer {
  private static final String PREFIX = "gantry:v1:";
  private static final int NONCE_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private ReasoningSealer(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * The key every replica on a shared store uses (made by the first one, kept in the store), so an
   * item sealed by one replica opens on any other.
   */
  static ReasoningSealer shared(io.gantry.store.SharedSecrets secrets) {
    String encoded =
        secrets.getOrCreate(
            "reasoning_key",
            () -> {
              byte[] fresh = new byte[32];
              RANDOM.nextBytes(fresh);
              return Base64.getEncoder().encodeToString(fresh);
            });
    return new ReasoningSealer(Base64.getDecoder().decode(encoded));
  }

  /** Loads the key from {@code dataDir/reasoning.key}, creating it (owner-only) on first use. */
  static ReasoningSealer open(Path dataDir) {
    Path file = dataDir.resolve("reasoning.key");
    try {
      if (!Files.exists(file)) {
        byte[] fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        Path temp = Files.createTempFile(dataDir, "reasoning", ".key");
        try {
          Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // Best effort on file systems without POSIX permissions.
        }
        Files.write(temp, fresh);
        try {
          Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
          Files.deleteIfExists(temp);
        }
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length != 32) {
        throw new IllegalStateException(
            file + " is not a 32-byte key; delete it to make a new one");
      }
      return new ReasoningSealer(key);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create " + file + ": " + e.getMessage(), e);
    }
  }

  String seal(String text) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** The reasoning text, or a 400 when the blob was not sealed by this gateway. */
  String open(String blob, String param) {
    try {
      if (blob == null || !blob.startsWith(PREFIX)) {
        throw new GeneralSecurityException("not a gantry blob");
      }
      byte[] all = Base64.getDecoder().decode(blob.substring(PREFIX.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
      byte[] plain = cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new InvalidTurnException(
          param, "encrypted_content was not produced by this gateway (or was altered).");
    }
  }
}
