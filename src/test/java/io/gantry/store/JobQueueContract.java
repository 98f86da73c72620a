package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared job queue's leases, on a clock the test moves by hand (every call takes the time): who
 * may claim a job and when, renewal, lapse and take-over, give-back, cancel requests and the
 * queue's counts; and that concurrent claimers never get the same job.
 */
abstract class JobQueueContract {
  private static final long LEASE = 10_000;

  protected abstract String newDatabaseUrl() throws Exception;

  private final List<Database> opened = Collections.synchronizedList(new ArrayList<>());
  private BackgroundJobStore jobs;

  @BeforeEach
  void openStore() throws Exception {
    Database db = Database.open(newDatabaseUrl());
    opened.add(db);
    jobs = new JdbcBackgroundJobStore(db);
  }

  @AfterEach
  void closeDatabases() {
    opened.forEach(Database::close);
  }

  private void add(String id, long createdAt, String model) {
    jobs.add(new BackgroundJob(id, "{}", createdAt, model, createdAt * 1000));
  }

  @Test
  void theOldestWaitingJobIsClaimedOnceUntilItsLeaseEnds() {
    add("resp_b", 2, "m");
    add("resp_a", 1, "m");
    assertThat(jobs.claim("r1", 0, LEASE))
        .hasValueSatisfying(j -> assertThat(j.responseId()).isEqualTo("resp_a"));
    assertThat(jobs.claim("r2", 5_000, LEASE))
        .hasValueSatisfying(j -> assertThat(j.responseId()).isEqualTo("resp_b"));
    assertThat(jobs.claim("r2", 9_999, LEASE)).as("both are owned under live leases").isEmpty();
    assertThat(jobs.lapsed(9_999)).isEmpty();
    // r1 went silent: at its lease's end the job is anyone's.
    assertThat(jobs.lapsed(10_001)).containsExactly("resp_a");
    assertThat(jobs.claim("r2", 10_001, LEASE))
        .hasValueSatisfying(j -> assertThat(j.responseId()).isEqualTo("resp_a"));
  }

  @Test
  void aRenewedLeaseKeepsTheJob() {
    add("resp_a", 1, "m");
    jobs.claim("r1", 0, LEASE);
    assertThat(jobs.renew("r1", 18_000)).isEqualTo(1);
    assertThat(jobs.claim("r2", 11_000, LEASE)).isEmpty();
    assertThat(jobs.claimIfWaiting("resp_a", "r2", 11_000, LEASE)).isFalse();
    assertThat(jobs.claimIfWaiting("resp_a", "r2", 18_001, LEASE)).isTrue();
  }

  @Test
  void givenBackAndReleasedJobsWaitAgain() {
    add("resp_a", 1, "m");
    add("resp_b", 2, "m");
    jobs.claim("r1", 0, LEASE);
    jobs.claim("r1", 0, LEASE);
    assertThat(jobs.waiting()).isZero();
    jobs.giveBack("resp_a");
    assertThat(jobs.waiting()).isEqualTo(1);
    jobs.release("r1");
    assertThat(jobs.waiting()).isEqualTo(2);
    assertThat(jobs.claim("r2", 1, LEASE)).isPresent();
  }

  @Test
  void aCancelRequestReachesTheOwnerOnly() {
    add("resp_a", 1, "m");
    jobs.claim("r1", 0, LEASE);
    jobs.requestCancel("resp_a");
    assertThat(jobs.cancelRequested("r1")).containsExactly("resp_a");
    assertThat(jobs.cancelRequested("r2")).isEmpty();
  }

  @Test
  void theQueueIsCountedPerModelAndTenant() {
    add("resp_a", 1, "m1");
    add("resp_b", 2, "m1");
    add("resp_c", 3, "m2");
    jobs.claim("r1", 0, LEASE);
    assertThat(jobs.waitingByModel()).containsEntry("m1", 1L).containsEntry("m2", 1L);
    assertThat(jobs.waiting("default")).as("no owner row: the default tenant's").isEqualTo(2);
    assertThat(jobs.waiting("acme")).isZero();
  }

  @Test
  void concurrentClaimersNeverShareAJob() throws Exception {
    for (int i = 0; i < 40; i++) {
      add("resp_" + i, i, "m");
    }
    Set<String> claimed = ConcurrentHashMap.newKeySet();
    List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        String replica = "r" + w;
        workers.add(
            pool.submit(() -> {
              while (true) {
                var job = jobs.claim(replica, 0, LEASE);
                if (job.isEmpty()) {
                  return null;
                }
                if (!claimed.add(job.get().responseId())) {
                  duplicates.add(job.get().responseId());
                }
              }
            }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
    }
    assertThat(duplicates).isEmpty();
    assertThat(claimed).hasSize(40);
  }
}
