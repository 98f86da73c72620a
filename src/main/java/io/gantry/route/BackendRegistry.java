package io.gantry.route;

import io.gantry.upstream.ProbeResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All backends and their health. Probes every backend in the background at a fixed interval, and on
 * demand (at most once a second) when a request names a model no backend is known to serve, so a
 * model pulled a moment ago is found without waiting for the next round.
 */
public final class BackendRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
  private static final long ON_DEMAND_MIN_GAP_NANOS = Duration.ofSeconds(1).toNanos();

  /** Told about every probe (for the backend_up gauge and probe latency). */
  @FunctionalInterface
  public interface ProbeListener {
    void probed(String backend, boolean up, long nanos);
  }

  private final List<RegisteredBackend> backends;
  private final Duration interval;
  private volatile ProbeListener listener = (backend, up, nanos) -> {};
  private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong lastRound = new AtomicLong(System.nanoTime() - ON_DEMAND_MIN_GAP_NANOS);
  private volatile boolean running;
  private Thread loop;

  private final java.util.Map<String, RegisteredBackend> byName = new java.util.HashMap<>();
  private volatile java.util.function.Consumer<String> circuitOpened = backend -> {};

  /** Told each time a backend's circuit opens (for a metric). */
  public void onCircuitOpened(java.util.function.Consumer<String> listener) {
    this.circuitOpened = listener;
  }

  public BackendRegistry(List<RegisteredBackend> backends, Duration interval) {
    this.backends = List.copyOf(backends);
    this.interval = interval;
    for (RegisteredBackend entry : this.backends) {
      byName.putIfAbsent(entry.backend().name(), entry);
    }
  }

  /** The backend of that name, or null. */
  RegisteredBackend entry(String backend) {
    return byName.get(backend);
  }

  /** One attempt at {@code backend} ended; feeds its circuit breaker. */
  public void attempted(String backend, boolean failed) {
    RegisteredBackend entry = byName.get(backend);
    if (entry == null) {
      return;
    }
    if (failed) {
      if (entry.circuit().failure()) {
        LOG.warn("circuit of backend {} opened after failed attempts", backend);
        circuitOpened.accept(backend);
      }
    } else {
      entry.succeeded();
      if (entry.circuit().state() != CircuitBreaker.State.CLOSED) {
        LOG.info("circuit of backend {} closed", backend);
      }
      entry.circuit().success();
    }
  }

  public void listener(ProbeListener probeListener) {
    this.listener = probeListener;
  }

  public List<RegisteredBackend> backends() {
    return backends;
  }

  /** Probes once (so the first requests already know the models), then keeps probing. */
  public void start() {
    probeAll();
    running = true;
    loop =
        Thread.ofVirtual()
            .name("gantry-probes")
            .start(() -> {
              while (running) {
                try {
                  Thread.sleep(interval);
                  probeAll();
                } catch (InterruptedException e) {
                  return;
                } catch (Throwable failure) {
                  io.gantry.observe.Supervision.failed("gantry-probes", failure);
                }
              }
            });
  }

  /** Probes now unless a round ran within the last second. */
  public void probeSoon() {
    long last = lastRound.get();
    if (System.nanoTime() - last >= ON_DEMAND_MIN_GAP_NANOS
        && lastRound.compareAndSet(last, System.nanoTime())) {
      probeAll();
    }
  }

  /** Probes every backend in parallel and waits for all of them. */
  public void probeAll() {
    lastRound.set(System.nanoTime());
    List<Future<?>> running = new ArrayList<>();
    for (RegisteredBackend entry : backends) {
      running.add(probes.submit(() -> probe(entry)));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.warn("probe failed unexpectedly", e.getCause());
      }
    }
  }

  private void probe(RegisteredBackend entry) {
    ProbeResult result = entry.backend().probe();
    listener.probed(entry.backend().name(), result.ready(), result.durationNanos());
    BackendHealth previous = entry.health();
    // A failed probe keeps the models last seen: a backend too busy to answer its probe, or
    // restarting, still serves them, and its clients should hear "unavailable" (503), not
    // "no such model" (404). /v1/models lists ready backends only.
    List<String> models =
        result.ready() || result.models() != null && !result.models().isEmpty()
            ? result.models()
            : previous.models();
    // A probe that timed out while real requests kept succeeding since the last probe means busy,
    // not down (found at 2,000 concurrent streams: the overloaded backend missed its probe and
    // every new request got 503 until the next probe). A refused or bad answer still means down,
    // and the breaker still judges real failures.
    boolean ready =
        result.ready()
            || result.timedOut()
                && previous.ready()
                && previous.checkedAt() != null
                && entry.succeededWithin(
                    java.time.Duration.between(previous.checkedAt(), Instant.now()).toNanos());
    entry.health(
        new BackendHealth(ready, models, result.error(), Instant.now(), result.durationNanos()));
    if (ready && !result.ready()) {
      LOG.info(
          "backend {} missed its probe ({}) but is serving requests: kept ready",
          entry.backend().name(),
          result.error());
      return;
    }
    if (previous.ready() != result.ready() || previous.checkedAt() == null) {
      if (result.ready()) {
        LOG.info(
            "backend {} ({} at {}) is ready with {} model(s): {}",
            entry.backend().name(),
            entry.backend().dialect(),
            entry.backend().url(),
            result.models().size(),
            result.models());
      } else if (previous.ready() || !"discovery".equals(entry.source())) {
        LOG.warn(
            "backend {} ({} at {}) is not ready: {}",
            entry.backend().name(),
            entry.backend().dialect(),
            entry.backend().url(),
            result.error());
      }
    }
  }

  public boolean anyReady() {
    return backends.stream().anyMatch(b -> b.health().ready());
  }

  @Override
  public void close() {
    running = false;
    if (loop != null) {
      loop.interrupt();
    }
    probes.shutdownNow();
    backends.forEach(b -> b.backend().close());
  }
}
