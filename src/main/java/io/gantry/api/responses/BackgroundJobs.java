package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.observe.RequestRecord;
import io.gantry.store.BackgroundJob;
import io.gantry.store.BackgroundJobStore;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredEvent;
import io.gantry.store.StoredResponse;
import io.gantry.upstream.Cancellation;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs background responses in submission order, at most {@code workers} at once, queued →
 * in_progress → a final status, with a time limit, cancellation and restart safety. The queue is
 * durable ({@link BackgroundJobStore}); the job's events go to live followers and the store.
 *
 * <p>After a restart, jobs still queued run; jobs that were running are marked failed, because the
 * backend's partial generation is gone and re-running would send a client tokens it has partly seen
 * already under the same event numbers.
 */
final class BackgroundJobs implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundJobs.class);
  static final String RESTART_MESSAGE =
      "The gateway restarted while this background response was running; run it again.";

  private final io.gantry.route.ModelRouter router;
  private final ResponseExecution execution;
  private final ResponseStore responses;
  private final BackgroundJobStore jobs;
  private final LiveResponses live;
  private final java.util.concurrent.ExecutorService workers;
  private final Duration timeout;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("gantry-job-timer").factory());
  private final Map<String, Running> running = new ConcurrentHashMap<>();

  private record Running(
      Cancellation cancellation,
      CountDownLatch finished,
      java.util.concurrent.atomic.AtomicBoolean started) {}

  private final Map<String, java.util.function.BiConsumer<io.gantry.core.Usage, String>>
      settlements = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile java.util.function.LongConsumer finishedJobs = nanos -> {};
  private volatile java.util.function.Consumer<RequestRecord> endedJobs = record -> {};

  BackgroundJobs(
      io.gantry.route.ModelRouter router,
      ResponseExecution execution,
      ResponseStore responses,
      BackgroundJobStore jobs,
      LiveResponses live,
      int workers,
      Duration timeout) {
    this.router = router;
    this.execution = execution;
    this.responses = responses;
    this.jobs = jobs;
    this.live = live;
    // A fixed pool takes jobs in submission order; its threads are virtual, so a worker blocked
    // on a backend costs no platform thread.
    this.workers =
        Executors.newFixedThreadPool(workers, Thread.ofVirtual().name("gantry-job-", 0).factory());
    this.timeout = timeout;
  }

  /** Stores the response as queued, announces it and starts it when a worker is free. */
  ObjectNode submit(PreparedResponse p, ObjectNode requestBody) {
    return submit(p, requestBody, null);
  }

  /**
   * As {@link #submit(PreparedResponse, ObjectNode)}; {@code settle} (may be null) gets the job's
   * usage and model when it ends, for the rate limiter and usage records.
   */
  ObjectNode submit(
      PreparedResponse p,
      ObjectNode requestBody,
      java.util.function.BiConsumer<io.gantry.core.Usage, String> settle) {
    if (settle != null) {
      settlements.put(p.id(), settle);
    }
    ObjectNode queued =
        ResponseJson.render(
            p.request(), p.id(), p.createdAt(), "queued", List.of(), null, null, null);
    execution.save(p, queued, List.of());
    jobs.add(new BackgroundJob(p.id(), Json.text(requestBody), p.createdAt()));
    JobEvents events =
        new JobEvents(p.id(), live.open(p.id()), responses, p.meta().cancellation(), 0);
    try {
      events.emit(Json.object().put("type", "response.created").set("response", queued.deepCopy()));
      events.emit(Json.object().put("type", "response.queued").set("response", queued.deepCopy()));
    } catch (IOException impossible) {
      // Not cancelled yet: emitting cannot fail.
    }
    events.flush();
    start(p, events);
    return queued;
  }

  private void start(PreparedResponse p, JobEvents events) {
    Running job =
        new Running(
            p.meta().cancellation(),
            new CountDownLatch(1),
            new java.util.concurrent.atomic.AtomicBoolean());
    running.put(p.id(), job);
    workers.execute(() -> run(p, events, job));
  }

  private void run(PreparedResponse p, JobEvents events, Running job) {
    RequestRecord record = new RequestRecord(p.meta().requestId(), null);
    record.surface("responses");
    record.model(p.request().model());
    record.backend(p.route().backend().name());
    try {
      if (job.cancellation().isCancelled()) {
        return; // cancelled while queued: cancel() already wrote the final state
      }
      job.started().set(true);
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
                    p.route(),
                    io.gantry.route.RouteHints.of(p.session(), p.meta().cancellation())));
        record.backend(leased.route().backend().name());
        try {
          execution.run(leased, record, events, false);
        } finally {
          endedJobs.accept(record);
        }
      } catch (io.gantry.route.BackendOverloadedException
          | io.gantry.route.WaitCancelledException e) {
        execution.notRun(p, record, events, io.gantry.edge.ErrorMapper.map(e, p.id()));
        endedJobs.accept(record);
      } finally {
        if (leased != null) {
          leased.route().close();
        }
        timer.cancel(false);
        finishedJobs.accept(System.nanoTime() - startedAt);
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("background response {} failed unexpectedly", p.id(), e);
    } finally {
      var settle = settlements.remove(p.id());
      if (settle != null) {
        try {
          settle.accept(record.usage(), p.route().model());
        } catch (RuntimeException e) {
          LOG.warn("background response {}: cannot settle its usage: {}", p.id(), e.getMessage());
        }
      }
      finish(p.id(), events);
      job.finished().countDown();
    }
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
   * Runs the jobs a previous process left: queued ones run now, interrupted ones are marked failed
   * with their terminal events, so no response stays in_progress forever.
   */
  void recover(Function<ObjectNode, PreparedResponse> prepare) {
    for (BackgroundJob job : jobs.all()) {
      Optional<StoredResponse> stored = responses.find(job.responseId());
      if (stored.isEmpty()) {
        jobs.remove(job.responseId());
        continue;
      }
      String status = stored.get().status();
      if ("queued".equals(status)) {
        try {
          PreparedResponse p =
              prepare
                  .apply((ObjectNode) parse(job.requestJson()))
                  .withIdentity(job.responseId(), job.createdAt());
          JobEvents events =
              new JobEvents(
                  p.id(),
                  live.open(p.id()),
                  responses,
                  p.meta().cancellation(),
                  nextSequence(p.id()));
          start(p, events);
          LOG.info("background response {} was queued before the restart: running it now", p.id());
        } catch (RuntimeException e) {
          failInterrupted(
              stored.get(),
              "The queued background response could not be restarted: " + e.getMessage());
        }
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
    ObjectNode response = (ObjectNode) parse(s.responseJson());
    response.put("status", "failed");
    response.set("completed_at", null);
    response.putObject("error").put("code", "server_error").put("message", message);
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

  @Override
  public void close() {
    timers.shutdownNow();
    workers.shutdownNow();
  }
}
