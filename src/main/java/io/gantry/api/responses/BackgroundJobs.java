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
import io.gantry.store.StoredResponse;
import io.gantry.upstream.Cancellation;
import io.gantry.upstream.UpstreamMeta;
import java.io.IOException;
import java.time.Duration;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs background responses, queued → in_progress → a final status, with a time limit,
 * cancellation, and safety across restarts and replicas. The queue is the store's ({@link
 * BackgroundJobStore}), shared by every replica: each of this replica's {@code workers} claims the
 * oldest waiting job, owns it under a lease renewed by a heartbeat, and runs it; a job whose owner
 * went silent (its lease ran out) is taken over by any replica: run again from the start when it
 * had produced no output yet, else ended {@code failed} with {@code replica_lost}, its stored
 * events closed so followers end cleanly. A cancel reaches the owner wherever it runs.
 *
 * <p>The queue is bounded, over all tenants and per tenant ({@code background.max_queued}, {@code
 * background.max_queued_per_tenant}, counted in the store): a response beyond it is refused at once
 * with 429 {@code background_queue_full} and {@code Retry-After}. A waiting job holds nothing in
 * memory; its request stays in the store and is prepared again, for its owner's tenant, when a
 * worker takes it.
 */
final class BackgroundJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundJobs.class);
  static final String REPLICA_LOST_MESSAGE =
      "The gateway replica running this background response stopped or restarted before it"
          + " finished, after it had produced output; run it again.";

  /** Turns a stored job's request back into a response ready to run. */
  interface Preparer {
    PreparedResponse prepare(String responseId, ObjectNode request, UpstreamMeta meta);
  }

  private final io.gantry.route.ModelRouter router;
  private final ResponseExecution execution;
  private final ResponseStore responses;
  private final BackgroundJobStore jobs;
  private final LiveResponses live;
  private final int workerCount;
  private final Duration timeout;
  private final int maxQueued;
  private final int maxQueuedPerTenant;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("gantry-job-timer").factory());
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final io.gantry.cluster.Replica replica;
  private final java.util.function.LongSupplier clock;
  // Wakes a worker when a job may be waiting (a signal from any replica); workers also poll.
  private final java.util.concurrent.Semaphore jobsWaiting = new java.util.concurrent.Semaphore(0);
  private final List<Thread> claimers = new java.util.ArrayList<>();
  private volatile boolean claiming = true;
  private volatile java.util.function.Function<String, String> tenantOf = id -> "default";
  // Average run time of finished jobs, for Retry-After when the queue is full.
  private volatile long averageJobNanos = 10_000_000_000L;
  private volatile Preparer preparer;

  /** A job here: what cancels it, whether it got past preparing, and the signal that it ended. */
  private record Running(
      Cancellation cancellation, CountDownLatch finished, AtomicBoolean started) {}

  /** How a job accepted here settles its usage, and when it was accepted (System.nanoTime). */
  private record Settlement(BiConsumer<Usage, String> settle, long acceptedAt) {}

  private final Map<String, Settlement> settlements = new ConcurrentHashMap<>();
  private volatile java.util.function.LongConsumer finishedJobs = nanos -> {};
  private volatile java.util.function.Consumer<RequestRecord> endedJobs = record -> {};
  private volatile java.util.function.Consumer<String> refusedJobs = scope -> {};
  private volatile BiConsumer<String, Long> queueWaits = (model, millis) -> {};
  private final io.gantry.cluster.EventWaits waits;
  private final JobEndings endings;

  static final java.util.Set<String> FINAL =
      java.util.Set.of("completed", "incomplete", "failed", "cancelled");

  /** Events a job emits before its backend answers anything. */
  static final java.util.Set<String> ANNOUNCEMENTS =
      java.util.Set.of("response.created", "response.queued", "response.in_progress");

  BackgroundJobs(
      io.gantry.route.ModelRouter router,
      ResponseExecution execution,
      ResponseStore responses,
      BackgroundJobStore jobs,
      LiveResponses live,
      io.gantry.config.BackgroundConfig config,
      io.gantry.cluster.Replica replica,
      java.util.function.LongSupplier clock) {
    this.replica = replica;
    this.clock = clock;
    this.waits = new io.gantry.cluster.EventWaits(replica.signals());
    this.endings = new JobEndings(responses, jobs, live, replica.signals());
    this.router = router;
    this.execution = execution;
    this.responses = responses;
    this.jobs = jobs;
    this.live = live;
    this.workerCount = config.workers();
    this.timeout = Duration.ofSeconds(config.jobTimeoutSeconds());
    this.maxQueued = config.maxQueued();
    this.maxQueuedPerTenant = config.maxQueuedPerTenant();
  }

  /** How a job's stored request becomes a response to run; set once before the first job. */
  void preparer(Preparer value) {
    this.preparer = value;
  }

  /**
   * Stores the response as queued, announces it, and puts it in the shared queue for the first free
   * worker of any replica. {@code settle} (may be null) gets the job's usage and model when it ends
   * here, for the rate limiter and usage records (a job another replica runs stays settled at its
   * estimate).
   *
   * @throws ApiException 429 {@code background_queue_full} when the queue is full, for all or for
   *     {@code tenant}
   */
  ObjectNode submit(
      PreparedResponse p, ObjectNode requestBody, BiConsumer<Usage, String> settle, String tenant) {
    refuseWhenFull(tenant);
    ObjectNode queuedResponse =
        ResponseJson.render(
            p.request(), p.id(), p.createdAt(), "queued", List.of(), null, null, null);
    execution.save(p, queuedResponse, List.of());
    if (settle != null) {
      settlements.put(p.id(), new Settlement(settle, System.nanoTime()));
    }
    JobEvents events = events(p.id(), 0);
    try {
      events.emit(
          Json.object().put("type", "response.created").set("response", queuedResponse.deepCopy()));
      events.emit(
          Json.object().put("type", "response.queued").set("response", queuedResponse.deepCopy()));
    } catch (IOException impossible) {
      // Not cancelled yet: emitting cannot fail.
    }
    events.flush();
    jobs.add(
        new BackgroundJob(
            p.id(), Json.text(requestBody), p.createdAt(), p.request().model(), clock.getAsLong()));
    replica.signals().publish(io.gantry.cluster.Signals.JOBS, p.id());
    return queuedResponse;
  }

  /**
   * The writer of a job's announcements, at submission: stored only, since any replica may be the
   * one that runs it (and keeps its live events).
   */
  private JobEvents events(String id, long firstSequence) {
    return new JobEvents(
        id,
        new LiveResponses.Live(),
        responses,
        new Cancellation(),
        firstSequence,
        replica.signals());
  }

  /** Refuses the job when the shared queue is full, for all or for the tenant. */
  private void refuseWhenFull(String tenant) {
    long waiting = jobs.waiting();
    String scope =
        waiting >= maxQueued ? "all" : jobs.waiting(tenant) >= maxQueuedPerTenant ? "tenant" : null;
    if (scope == null) {
      return;
    }
    refusedJobs.accept(scope);
    long waitSeconds =
        Math.max(
            1,
            (long)
                Math.ceil(averageJobNanos / 1e9 * Math.max(1, waiting) / Math.max(1, workerCount)));
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

  /**
   * Starts this replica's workers and its heartbeat. Call once, after the preparer is set. On a
   * store only this process uses ({@code alone}), jobs a previous process owned are taken over at
   * once instead of after their lease.
   *
   * @param tenantOf the tenant that owns a response
   */
  void start(java.util.function.Function<String, String> tenantOf, boolean alone) {
    this.tenantOf = tenantOf;
    if (alone) {
      // No other process can use this store: whatever a previous process owned is ours now.
      // A job it left with output ends here, before the first request is served.
      for (BackgroundJob job : jobs.all()) {
        Optional<StoredResponse> stored = responses.find(job.responseId());
        if (stored.isPresent()
            && "in_progress".equals(stored.get().status())
            && endings.producedOutput(job.responseId())) {
          lost(stored.get());
        }
      }
      jobs.releaseAll();
    }
    replica.signals().subscribe(io.gantry.cluster.Signals.JOBS, id -> jobsWaiting.release());
    replica.signals().subscribe(io.gantry.cluster.Signals.CANCEL, this::cancelIfRunningHere);
    for (int i = 0; i < workerCount; i++) {
      claimers.add(Thread.ofVirtual().name("gantry-job-" + i).start(this::claimLoop));
    }
    long beat = Math.max(200, replica.leaseMillis() / 3);
    timers.scheduleAtFixedRate(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
  }

  /** One worker: claims the oldest waiting job of the shared queue, runs it, again. */
  private void claimLoop() {
    while (claiming) {
      try {
        Optional<BackgroundJob> job =
            jobs.claim(replica.id(), clock.getAsLong(), replica.leaseMillis());
        if (job.isEmpty()) {
          // Woken by a signal from any replica; a slow poll covers a lost one and lapsed leases.
          jobsWaiting.tryAcquire(1, TimeUnit.SECONDS);
          continue;
        }
        runClaimed(job.get());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        io.gantry.observe.Supervision.failed("gantry-job", e);
        try {
          Thread.sleep(1000); // the store is failing: do not spin on it
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /**
   * Keeps this replica's leases, cancels jobs whose cancel signal it may have missed, takes over
   * the jobs of replicas that went silent (see {@link #takeOver}), and forgets the settlements of
   * jobs other replicas ran.
   */
  private void heartbeat() {
    try {
      if (!running.isEmpty()) {
        jobs.renew(replica.id(), clock.getAsLong() + replica.leaseMillis());
        jobs.cancelRequested(replica.id()).forEach(this::cancelIfRunningHere);
      }
      if (claiming) {
        jobs.lapsed(clock.getAsLong()).forEach(this::takeOver);
      }
      // A job accepted here but run by another replica is settled at its estimate: its entry
      // goes once the job has left the queue, so the map holds only jobs still in it.
      long oldEnough = System.nanoTime() - replica.leaseMillis() * 1_000_000L;
      settlements
          .entrySet()
          .removeIf(e ->
              e.getValue().acceptedAt() - oldEnough < 0
                  && !running.containsKey(e.getKey())
                  && jobs.find(e.getKey()).isEmpty());
    } catch (RuntimeException e) {
      LOG.warn("background jobs: cannot renew or check leases: {}", e.getMessage());
    }
  }

  /**
   * A job whose owner's lease ran out, taken over at once whether or not a worker is free here: one
   * that had produced output ends {@code replica_lost}; one that had not goes back to the queue for
   * the next free worker of any replica, to run again from the start.
   */
  private void takeOver(String id) {
    long now = clock.getAsLong();
    if (!jobs.claimIfWaiting(id, replica.id(), now, replica.leaseMillis())) {
      return; // another replica took it first
    }
    Optional<StoredResponse> stored = responses.find(id);
    if (stored.isPresent()
        && "in_progress".equals(stored.get().status())
        && endings.producedOutput(id)) {
      lost(stored.get());
      return;
    }
    jobs.giveBack(id);
    replica.signals().publish(io.gantry.cluster.Signals.JOBS, id);
  }

  private void cancelIfRunningHere(String id) {
    Running job = running.get(id);
    if (job != null) {
      job.cancellation().cancel(Cancellation.Reason.CANCELLED);
    }
  }

  /** A job this replica just claimed: queued, or taken over from a replica that went silent. */
  private void runClaimed(BackgroundJob job) {
    String id = job.responseId();
    Optional<StoredResponse> stored = responses.find(id);
    if (stored.isEmpty() || FINAL.contains(stored.get().status())) {
      jobs.remove(id);
      return;
    }
    long next = endings.nextSequence(id);
    if ("in_progress".equals(stored.get().status()) && endings.producedOutput(id)) {
      lost(stored.get());
      return;
    }
    queueWaits.accept(job.model(), Math.max(0, clock.getAsLong() - job.queuedAtMs()));
    UpstreamMeta meta = new UpstreamMeta(io.gantry.core.Ids.request());
    Running running = new Running(meta.cancellation(), new CountDownLatch(1), new AtomicBoolean());
    this.running.put(id, running);
    JobEvents events =
        new JobEvents(id, live.open(id), responses, meta.cancellation(), next, replica.signals());
    run(id, job.createdAt(), meta, events, running);
  }

  private void run(String id, long createdAt, UpstreamMeta meta, JobEvents events, Running job) {
    RequestRecord record = new RequestRecord(meta.requestId(), null);
    record.surface("responses");
    PreparedResponse p = null;
    try {
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
          settle.settle().accept(record.usage(), p == null ? null : p.route().model());
        } catch (RuntimeException e) {
          LOG.warn("background response {}: cannot settle its usage: {}", id, e.getMessage());
        }
      }
      finish(id, events, job.cancellation().reason() == Cancellation.Reason.SHUTDOWN);
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
    // The job takes its replica's slot now; it waits in the backend's queue like a foreground
    // request, and holds the slot until it ends.
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
    ObjectNode response = JobEndings.failed(stored.get(), error.getMessage());
    responses.save(JobEndings.withResponse(stored.get(), response));
    try {
      events.emit(Json.object().put("type", "response.failed").set("response", response));
      events.emit(ResponseExecution.errorEvent(error.code(), error.getMessage()));
    } catch (IOException cancelledMeanwhile) {
      // The final state is stored; a cancel that raced it has nothing left to stop.
    }
    endedJobs.accept(record);
  }

  /**
   * The job ended here: its row leaves the queue and followers are told. A job given up at shutdown
   * ({@code released}) stays, with no owner, for another replica.
   */
  private void finish(String id, JobEvents events, boolean released) {
    try {
      events.flush();
      if (!released) {
        jobs.remove(id);
      }
    } catch (RuntimeException e) {
      LOG.error("could not record the end of background response {}", id, e);
    }
    running.remove(id);
    live.close(id);
    replica.signals().publish(io.gantry.cluster.Signals.EVENTS, id);
  }

  /**
   * Cancels a job wherever it is and returns once its final state is stored (or after a short
   * wait): here, by cancelling it; waiting in the queue, by ending it from here; running on another
   * replica, by telling its owner. Returns false when there is no such job.
   */
  boolean cancel(String id) {
    Running job = running.get(id);
    if (job != null) {
      job.cancellation().cancel(Cancellation.Reason.CANCELLED);
      await(job.finished());
      return true;
    }
    if (jobs.claimIfWaiting(id, replica.id(), clock.getAsLong(), replica.leaseMillis())) {
      endings.cancelledWhileWaiting(id);
      settlements.remove(id);
      return true;
    }
    if (jobs.find(id).isEmpty()) {
      return false;
    }
    jobs.requestCancel(id);
    replica.signals().publish(io.gantry.cluster.Signals.CANCEL, id);
    awaitFinal(id, Duration.ofSeconds(5));
    return true;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the response has a final status (another replica ends it), at most {@code max}. */
  private void awaitFinal(String id, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      try (var waiter = waits.register(id)) {
        if (responses.find(id).map(r -> FINAL.contains(r.status())).orElse(true)) {
          return;
        }
        waiter.await(Duration.ofMillis(100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A job lost with its replica after it produced output: ended, and not settled here. */
  private void lost(StoredResponse s) {
    endings.lost(s);
    settlements.remove(s.id());
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Jobs: {@code queued} (waiting for a worker of any replica, from the store) and {@code
   * in_progress} (running on this replica).
   */
  Map<String, Long> states() {
    long here = running.values().stream().filter(r -> r.started().get()).count();
    long waiting;
    try {
      waiting = jobs.waiting();
    } catch (RuntimeException e) {
      waiting = 0;
    }
    return Map.of("queued", waiting, "in_progress", here);
  }

  /** Jobs waiting for a replica, per model (the shared queue's depth). */
  Map<String, Long> waitingByModel() {
    return jobs.waitingByModel();
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

  /** Told how long each job waited in the queue (model, milliseconds) when a worker took it. */
  void onQueueWait(BiConsumer<String, Long> listener) {
    this.queueWaits = listener;
  }

  /** Stops taking jobs from the queue (shutdown): running ones go on. */
  void stopClaiming() {
    claiming = false;
    claimers.forEach(Thread::interrupt);
  }

  /** Waits, at most {@code max}, for the jobs running here to end. */
  void awaitRunning(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    for (Running job : List.copyOf(running.values())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        job.finished().await(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Gives up the jobs still running here (shutdown, after the grace): each stops without writing a
   * final state, and the queue gets them back with no owner, so another replica takes them over at
   * once rather than after the lease.
   */
  void release() {
    stopClaiming();
    List<Running> left = List.copyOf(running.values());
    left.forEach(r -> r.cancellation().cancel(Cancellation.Reason.SHUTDOWN));
    left.forEach(r -> await(r.finished()));
    try {
      jobs.release(replica.id());
      replica.signals().publish(io.gantry.cluster.Signals.JOBS, "released");
    } catch (RuntimeException e) {
      LOG.warn(
          "could not release this replica's jobs (they go when their lease ends): {}",
          e.getMessage());
    }
  }

  @Override
  public void close() {
    release();
    timers.shutdownNow();
  }
}
