package io.gantry.govern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.store.KeyStore;
import io.gantry.store.StoredKey;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates, changes and checks API keys. Every request with a key looks it up by hash, so lookups
 * are cached for a few seconds ({@value #CACHE_MILLIS} ms); a change made in this process clears
 * the cache at once, a change made by another process (the CLI, another replica) is seen within
 * that time.
 */
public final class ApiKeys {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApiKeys.class);
  static final long CACHE_MILLIS = 4_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyStore store;
  private final Audit audit;
  private final Map<String, Cached> byHash = new ConcurrentHashMap<>();
  private volatile long requiredCheckedAt = 0;
  private volatile boolean required;
  // Once true, true for good: keys are never deleted, only revoked.
  private volatile boolean everExisted;
  private volatile long existedCheckedAt = 0;

  public ApiKeys(KeyStore store, Audit audit) {
    this.store = store;
    this.audit = audit;
  }

  /** A new key and, this once only, its secret. */
  public record Created(StoredKey key, String secret) {}

  public Created create(ObjectNode body, String actor, String source) {
    String secret = KeySecrets.generate();
    StoredKey blank =
        new StoredKey(
            "key_" + HexFormat.of().formatHex(randomBytes(12)),
            KeySecrets.hash(secret),
            KeySecrets.displayPrefix(secret),
            null,
            Tenancy.DEFAULT,
            null,
            null,
            null,
            null,
            null,
            null,
            true,
            null,
            Map.of(),
            System.currentTimeMillis() / 1000);
    StoredKey key = KeyFields.apply(blank, body);
    store.save(key);
    changed();
    audit.record("key.create", actor, key.id(), source, summary(key));
    return new Created(key, secret);
  }

  public Optional<StoredKey> find(String id) {
    return store.find(id);
  }

  public List<StoredKey> list() {
    return store.list();
  }

  /** Applies the fields present in {@code body}; empty if there is no such key. */
  public Optional<StoredKey> update(String id, ObjectNode body, String actor, String source) {
    Optional<StoredKey> current = store.find(id);
    if (current.isEmpty()) {
      return Optional.empty();
    }
    StoredKey updated = KeyFields.apply(current.get(), body);
    store.update(updated);
    changed();
    ObjectNode detail = summary(updated);
    detail.set("changed", Json.MAPPER.valueToTree(iterable(body)));
    audit.record("key.update", actor, id, source, detail);
    return Optional.of(updated);
  }

  /** Revokes for good; empty if there is no such key. Revoking twice keeps the first time. */
  public Optional<StoredKey> revoke(String id, String actor, String source) {
    Optional<StoredKey> current = store.find(id);
    if (current.isEmpty()) {
      return Optional.empty();
    }
    StoredKey key = current.get();
    if (key.revokedAt() == null) {
      key = key.withRevokedAt(System.currentTimeMillis() / 1000);
      store.update(key);
      changed();
      audit.record("key.revoke", actor, id, source, summary(key));
    }
    return Optional.of(key);
  }

  /** Whether at least one usable key exists (enabled, unrevoked, unexpired). */
  public boolean required() {
    long now = System.currentTimeMillis();
    if (now - requiredCheckedAt > CACHE_MILLIS) {
      boolean usable = store.anyUsable(now / 1000);
      if (required && !usable) {
        LOG.warn(
            "No usable API key is left (the last one expired, was revoked or disabled):"
                + " authentication stays on and every /v1 request is refused with 401 until a"
                + " key is created (./gantry keys create, or POST /admin/keys).");
      }
      required = usable;
      requiredCheckedAt = now;
    }
    return required;
  }

  /**
   * Whether any key was ever created: from then on authentication stays on, even when no key is
   * usable any more, so the gateway never opens up by itself.
   */
  public boolean everExisted() {
    if (everExisted) {
      required(); // keeps watching usable keys, to log the moment the last one goes
      return true;
    }
    long now = System.currentTimeMillis();
    if (now - existedCheckedAt > CACHE_MILLIS) {
      everExisted = store.anyExists();
      existedCheckedAt = now;
      if (everExisted) {
        required();
      }
    }
    return everExisted;
  }

  /** Who carries this secret: the usable key's principal, if any. */
  public Optional<Principal> principal(String secret) {
    return authenticate(secret).map(Principal::new);
  }

  /** The usable key with this secret, if any. */
  public Optional<StoredKey> authenticate(String secret) {
    if (secret == null || secret.isBlank()) {
      return Optional.empty();
    }
    String hash = KeySecrets.hash(secret.strip());
    long now = System.currentTimeMillis();
    Cached cached = byHash.get(hash);
    if (cached == null || now - cached.at > CACHE_MILLIS) {
      if (byHash.size() > 10_000) {
        byHash.clear();
      }
      // The lookup is by the hash's exact value in an index: the stored hash is never compared
      // byte by byte in Java, so there is no timing to learn from.
      cached = new Cached(store.findByHash(hash).orElse(null), now);
      byHash.put(hash, cached);
    }
    StoredKey key = cached.key;
    return key != null && key.usableAt(now / 1000) ? Optional.of(key) : Optional.empty();
  }

  private void changed() {
    byHash.clear();
    requiredCheckedAt = 0;
    existedCheckedAt = 0;
  }

  private static java.util.List<String> iterable(ObjectNode body) {
    java.util.List<String> out = new java.util.ArrayList<>();
    body.fieldNames().forEachRemaining(out::add);
    return out;
  }

  /** What the audit keeps of a key: never its hash or secret. */
  private static ObjectNode summary(StoredKey key) {
    ObjectNode out = Json.object();
    out.put("name", key.name());
    out.put("tenant", key.tenant());
    out.put("enabled", key.enabled());
    return out;
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private record Cached(StoredKey key, long at) {}
}
