package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.ErrorKind;
import io.gantry.core.Json;
import io.gantry.core.Usage;
import io.gantry.edge.ApiException;
import io.gantry.edge.ErrorMapper;
import io.gantry.observe.RequestRecord;
import io.gantry.store.BackgroundJob;
import io.gantry.store.BackgroundJobStore;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredEvent;
import io.gantry.store.StoredResponse;
import io.gantry.upstream.Cancellation;
import io.gantry.upstream.UpstreamMeta;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs background responses in submission order, at most {@code workers} at once, queued →
 * in_progress → a final status, with a time limit, cancellation and restart safety. The queue is
 * durable ({@link BackgroundJobStore}); the job's events go to live followers and the store.
 *
 * <p>The queue is bounded, over all tenants and per tenant ({@code background.max_queued}, {@code
 * background.max_queued_per_tenant}): a response beyond it is refused at once with 429 {@code
 * background_queue_full} and {@code Retry-After}. A waiting job holds only its id in memory; its
 * request stays in the store and is read and prepared again when a worker takes it, so a queue of
 * large requests costs no heap (and every id it names is checked again, for its owner, then).
 *
 * <p>After a restart, jobs still queued run; jobs that were running are marked failed, because the
 * backend's partial generation is gone and re-running would send a client tokens it has partly seen
 * already under the same event numbers.
 */
final class BackgroundJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundJobs.class);
  static final String RESTART_MESSAGE =
      "The gateway restarted while this background response was running; run it again.";

  /** Turns a stored job's request back into a response ready to run. */
  interface Preparer {
    PreparedResponse prepare(String responseId, ObjectNode request, UpstreamMeta meta);
  }

  private final io.gantry.route.ModelRouter router;
  private final ResponseExecution execution;
  private final ResponseStore responses;
  private final BackgroundJobStore jobs;
  private final LiveResponses live;
  private final java.util.concurrent.ExecutorService workers;
  private final int workerCount;
  private final Duration timeout;
  private final int maxQueued;
  private final int maxQueuedPerTenant;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("gantry-job-timer").factory());
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  // Jobs waiting for a worker, in all and per tenant (entries leave at zero): guarded by itself.
  private final Map<String, Integer> queuedByTenant = new HashMap<>();
  private int queued;
  // Average run time of finished jobs, for Retry-After when the queue is full.
  private volatile long averageJobNanos = 10_000_000_000L;
  private volatile Preparer preparer;

  /** A job here: what cancels it, whether a worker took it, and the signal that it ended. */
  private record Running(
      Cancellation cancellation, CountDownLatch finished, AtomicBoolean started, String tenant) {}

  private final Map<String, BiConsumer<Usage, String>> settlements = new ConcurrentHashMap<>();
  private volatile java.util.function.LongConsumer finishedJobs = nanos -> {};
  private volatile java.util.function.Consumer<RequestRecord> endedJobs = record -> {};
  private volatile java.util.function.Consumer<String> refusedJobs = scope -> {};

  BackgroundJobs(
      io.gantry.route.ModelRouter router,
      ResponseExecution execution,
      ResponseStore responses,
      BackgroundJobStore jobs,
      LiveResponses live,
      io.gantry.config.BackgroundConfig config) {
    this.router = router;
    this.execution = execution;
    this.responses = responses;
    this.jobs = jobs;
    this.live = live;
    this.workerCount = config.workers();
    // A fixed pool takes jobs in submission order; its threads are virtual, so a worker blocked
    // on a backend costs no platform thread.
    this.workers =
        Executors.newFixedThreadPool(
            workerCount, Thread.ofVirtual().name("gantry-job-", 0).factory());
    this.timeout = Duration.ofSeconds(config.jobTimeoutSeconds());
    this.maxQueued = config.maxQueued();
    this.maxQueuedPerTenant = config.maxQueuedPerTenant();
  }

  /** How a job's stored request becomes a response to run; set once before the first job. */
  void preparer(Preparer value) {
    this.preparer = value;
  }

  /**
   * Stores the response as queued, announces it and starts it when a worker is free. {@code settle}
   * (may be null) gets the job's usage and model when it ends, for the rate limiter and usage
   * records.
   *
   * @throws ApiException 429 {@code background_queue_full} when the queue is full, for all or for
   *     {@code tenant}
   */
  ObjectNode submit(
      PreparedResponse p, ObjectNode requestBody, BiConsumer<Usage, String> settle, String tenant) {
    reserve(tenant);
    try {
      ObjectNode queuedResponse =
          ResponseJson.render(
              p.request(), p.id(), p.createdAt(), "queued", List.of(), null, null, null);
      execution.save(p, queuedResponse, List.of());
      jobs.add(new BackgroundJob(p.id(), Json.text(requestBody), p.createdAt()));
      if (settle != null) {
        settlements.put(p.id(), settle);
      }
      JobEvents events =
          new JobEvents(p.id(), live.open(p.id()), responses, p.meta().cancellation(), 0);
      try {
        events.emit(
            Json.object()
                .put("type", "response.created")
                .set("response", queuedResponse.deepCopy()));
        events.emit(
            Json.object()
                .put("type", "response.queued")
                .set("response", queuedResponse.deepCopy()));
      } catch (IOException impossible) {
        // Not cancelled yet: emitting cannot fail.
      }
      events.flush();
      start(p.id(), p.createdAt(), p.meta(), tenant, events);
      return queuedResponse;
    } catch (RuntimeException e) {
      unreserve(tenant);
      throw e;
    }
  }

  /** Takes a place in the queue, or refuses the job when there is none (all, or the tenant's). */
  private void reserve(String tenant) {
    String scope = null;
    synchronized (queuedByTenant) {
      if (queued >= maxQueued) {
        scope = "all";
      } else if (queuedByTenant.getOrDefault(tenant, 0) >= maxQueuedPerTenant) {
        scope = "tenant";
      } else {
        queued++;
        queuedByTenant.merge(tenant, 1, Integer::sum);
        return;
      }
    }
    refusedJobs.accept(scope);
    long waitSeconds =
        Math.max(
            1,
            (long)
                Math.ceil(averageJobNanos / 1e9 * Math.max(1, queued) / Math.max(1, workerCount)));
    throw new ApiException(
            429,
            "requests",
            "background_queue_full",
            "background",
            "Too many background responses are waiting"
                + (scope.equals("all")
                    ? " (background.max_queued = " + maxQueued + ")"
                    : " for this tenant (background.max_queued_per_tenant = "
                        + maxQueuedPerTenant
                        + ")")
                + "; retry in "
                + waitSeconds
                + "s, or send the request without background.",
            ErrorKind.RATE_LIMITED)
        .withHeader("Retry-After", Long.toString(waitSeconds));
  }

  private void unreserve(String tenant) {
    synchronized (queuedByTenant) {
      queued--;
      queuedByTenant.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
    }
  }

  private void start(
      String id, long createdAt, UpstreamMeta meta, String tenant, JobEvents events) {
    Running job =
        new Running(meta.cancellation(), new CountDownLatch(1), new AtomicBoolean(), tenant);
    running.put(id, job);
    workers.execute(() -> run(id, createdAt, meta, events, job));
  }

  private void run(String id, long createdAt, UpstreamMeta meta, JobEvents events, Running job) {
    unreserve(job.tenant()); // no longer waiting for a worker
    RequestRecord record = new RequestRecord(meta.requestId(), null);
    record.surface("responses");
    PreparedResponse p = null;
    try {
      if (job.cancellation().isCancelled()) {
        return; // cancelled while queued: cancel() already wrote the final state
      }
      job.started().set(true);
      try {
        p = prepare(id, createdAt, meta);
      } catch (RuntimeException e) {
        failBeforeRun(id, events, ErrorMapper.map(e, meta.requestId()), record);
        return;
      }
      record.model(p.request().model());
      record.backend(p.route().backend().name());
      runPrepared(p, events, job, record);
    } catch (Throwable e) {
      // Whatever happened, the job must still reach a final state below.
      io.gantry.observe.Supervision.failed("gantry-job", e);
    } finally {
      var settle = settlements.remove(id);
      if (settle != null) {
        try {
          settle.accept(record.usage(), p == null ? null : p.route().model());
        } catch (RuntimeException e) {
          LOG.warn("background response {}: cannot settle its usage: {}", id, e.getMessage());
        }
      }
      finish(id, events);
      job.finished().countDown();
    }
  }

  /** The stored request, prepared again as it was when it was accepted. */
  private PreparedResponse prepare(String id, long createdAt, UpstreamMeta meta) {
    BackgroundJob stored =
        jobs.find(id)
            .orElseThrow(() -> new IllegalStateException("the job's request is not in the store"));
    return preparer
        .prepare(id, (ObjectNode) parse(stored.requestJson()), meta)
        .withIdentity(id, createdAt);
  }

  private void runPrepared(PreparedResponse p, JobEvents events, Running job, RequestRecord record)
      throws IOException {
    long startedAt = System.nanoTime();
    ObjectNode inProgress =
        ResponseJson.render(
            p.request(), p.id(), p.createdAt(), "in_progress", List.of(), null, null, null);
    execution.save(p, inProgress, List.of());
    events.emit(Json.object().put("type", "response.in_progress").set("response", inProgress));
    var timer =
        timers.schedule(
            () -> job.cancellation().cancel(Cancellation.Reason.TIMED_OUT),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    // The job takes its replica's slot now, not while it was queued for a worker; it waits in
    // the backend's queue like a foreground request, and holds the slot until it ends.
    PreparedResponse leased = null;
    try {
      leased =
          p.withRoute(
              router.lease(
                  p.route(), io.gantry.route.RouteHints.of(p.session(), p.meta().cancellation())));
      record.backend(leased.route().backend().name());
      try {
        execution.run(leased, record, events, false);
      } finally {
        endedJobs.accept(record);
      }
    } catch (io.gantry.route.BackendOverloadedException
        | io.gantry.route.WaitCancelledException e) {
      execution.notRun(p, record, events, ErrorMapper.map(e, p.id()));
      endedJobs.accept(record);
    } finally {
      if (leased != null) {
        leased.route().close();
      }
      timer.cancel(false);
      long took = System.nanoTime() - startedAt;
      averageJobNanos = (averageJobNanos * 7 + took) / 8;
      finishedJobs.accept(took);
    }
  }

  /** A job whose request can no longer be prepared (its model or a file it names is gone). */
  private void failBeforeRun(
      String id, JobEvents events, ApiException error, RequestRecord record) {
    record.fail(error.kind());
    Optional<StoredResponse> stored = responses.find(id);
    if (stored.isEmpty()) {
      return;
    }
    ObjectNode response = failed(stored.get(), error.getMessage());
    responses.save(withResponse(stored.get(), response));
    try {
      events.emit(Json.object().put("type", "response.failed").set("response", response));
      events.emit(ResponseExecution.errorEvent(error.code(), error.getMessage()));
    } catch (IOException cancelledMeanwhile) {
      // The final state is stored; a cancel that raced it has nothing left to stop.
    }
    endedJobs.accept(record);
  }

  private void finish(String id, JobEvents events) {
    try {
      events.flush();
      jobs.remove(id);
    } catch (RuntimeException e) {
      LOG.error("could not record the end of background response {}", id, e);
    }
    running.remove(id);
    live.close(id);
  }

  /**
   * Cancels a queued or running job and returns once its final state is stored (or after a short
   * wait). Returns false when no job of that id is running here.
   */
  boolean cancel(String id) {
    Running job = running.get(id);
    if (job == null) {
      return false;
    }
    job.cancellation().cancel(Cancellation.Reason.CANCELLED);
    if (responses.find(id).map(r -> "queued".equals(r.status())).orElse(false)) {
      cancelQueued(id);
      return true;
    }
    try {
      job.finished().await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  /** A job cancelled before a worker took it: its thread will not touch it, so finish it here. */
  private void cancelQueued(String id) {
    Optional<StoredResponse> stored = responses.find(id);
    if (stored.isEmpty() || !"queued".equals(stored.get().status())) {
      return;
    }
    StoredResponse s = stored.get();
    ObjectNode response = (ObjectNode) parse(s.responseJson());
    response.put("status", "cancelled");
    responses.save(withResponse(s, response));
    LiveResponses.Live events = live.get(id);
    long next = nextSequence(id);
    ObjectNode error =
        ResponseExecution.errorEvent("response_cancelled", "The response was cancelled.");
    error.put("sequence_number", next);
    responses.appendEvent(new StoredEvent(id, next, "error", Json.text(error)));
    if (events != null) {
      events.append(error);
    }
    jobs.remove(id);
    running.remove(id);
    live.close(id);
  }

  /**
   * Runs the jobs a previous process left: queued ones run now (they were accepted, so they take
   * their places whatever the bound), interrupted ones are marked failed with their terminal
   * events, so no response stays in_progress forever.
   *
   * @param tenantOf the tenant that owns a response
   */
  void recover(Function<String, String> tenantOf) {
    for (BackgroundJob job : jobs.all()) {
      Optional<StoredResponse> stored = responses.find(job.responseId());
      if (stored.isEmpty()) {
        jobs.remove(job.responseId());
        continue;
      }
      String status = stored.get().status();
      if ("queued".equals(status)) {
        String id = job.responseId();
        String tenant = tenantOf.apply(id);
        synchronized (queuedByTenant) {
          queued++;
          queuedByTenant.merge(tenant, 1, Integer::sum);
        }
        UpstreamMeta meta = new UpstreamMeta(io.gantry.core.Ids.request());
        JobEvents events =
            new JobEvents(id, live.open(id), responses, meta.cancellation(), nextSequence(id));
        start(id, job.createdAt(), meta, tenant, events);
        LOG.info("background response {} was queued before the restart: running it now", id);
      } else if ("in_progress".equals(status)) {
        failInterrupted(stored.get(), RESTART_MESSAGE);
        LOG.warn(
            "background response {} was running when the gateway stopped: marked failed",
            job.responseId());
      } else {
        jobs.remove(job.responseId());
      }
    }
  }

  private void failInterrupted(StoredResponse s, String message) {
    ObjectNode response = failed(s, message);
    responses.save(withResponse(s, response));
    long next = nextSequence(s.id());
    ObjectNode failed = Json.object().put("type", "response.failed");
    failed.set("response", response);
    failed.put("sequence_number", next);
    ObjectNode error = ResponseExecution.errorEvent("gateway_restarted", message);
    error.put("sequence_number", next + 1);
    responses.appendEvents(
        List.of(
            new StoredEvent(s.id(), next, "response.failed", Json.text(failed)),
            new StoredEvent(s.id(), next + 1, "error", Json.text(error))));
    jobs.remove(s.id());
  }

  /** The stored response, failed with {@code message} (the spec's closed code: server_error). */
  private static ObjectNode failed(StoredResponse s, String message) {
    ObjectNode response = (ObjectNode) parse(s.responseJson());
    response.put("status", "failed");
    response.set("completed_at", null);
    response.putObject("error").put("code", "server_error").put("message", message);
    return response;
  }

  private long nextSequence(String id) {
    List<StoredEvent> events = responses.events(id, -1);
    return events.isEmpty() ? 0 : events.getLast().sequenceNumber() + 1;
  }

  private static StoredResponse withResponse(StoredResponse s, ObjectNode response) {
    return new StoredResponse(
        s.id(),
        s.previousResponseId(),
        s.model(),
        response.path("status").asText(),
        s.createdAt(),
        Json.text(response),
        s.inputItemsJson(),
        s.outputItemsJson());
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Jobs here now: {@code queued} (waiting for a worker) and {@code in_progress}. */
  Map<String, Long> states() {
    long started = running.values().stream().filter(r -> r.started().get()).count();
    return Map.of("queued", running.size() - started, "in_progress", started);
  }

  /** Told how long each finished job ran. */
  void onFinished(java.util.function.LongConsumer listener) {
    this.finishedJobs = listener;
  }

  /** Told each finished job's record (its error kind, if it failed), for the error metrics. */
  void onEnded(java.util.function.Consumer<RequestRecord> listener) {
    this.endedJobs = listener;
  }

  /** Told each job refused because the queue was full ({@code all} or {@code tenant}). */
  void onRefused(java.util.function.Consumer<String> listener) {
    this.refusedJobs = listener;
  }

  @Override
  public void close() {
    timers.shutdownNow();
    workers.shutdownNow();
  }
}
