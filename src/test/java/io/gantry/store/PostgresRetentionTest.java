package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.store.RetentionSweeper.Sweep;
import io.gantry.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract on PostgreSQL, and the lock that lets one replica sweep at a time. Skips, saying
 * why, when no PostgreSQL answers, unless {@code GANTRY_REQUIRE_POSTGRES} is set.
 */
class PostgresRetentionTest extends RetentionContract {
  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }

  @Test
  void noSweepWhileAnotherReplicaHoldsTheLock() throws Exception {
    responses.save(response("resp_1", null, "completed"));
    clock.advance(Duration.ofDays(31));
    try (Connection other = DriverManager.getConnection(url);
        Statement s = other.createStatement()) {
      s.execute("SELECT pg_advisory_lock(" + RetentionSweeper.LOCK_KEY + ")");
      Sweep skipped = sweep();
      assertThat(skipped.ran()).isFalse();
      assertThat(responses.find("resp_1")).isPresent();
      s.execute("SELECT pg_advisory_unlock(" + RetentionSweeper.LOCK_KEY + ")");
    }
    Sweep swept = sweep();
    assertThat(swept.ran()).isTrue();
    assertThat(responses.find("resp_1")).isEmpty();
    // The sweep gave its lock back: another sweep (as another replica would) takes it.
    assertThat(sweep().ran()).isTrue();
  }

  @Test
  @Timeout(60)
  void twoReplicasOnOneDatabaseSweepOneAtATime() throws Exception {
    for (int i = 0; i < 10; i++) {
      responses.save(response("resp_" + i, null, "completed"));
    }
    clock.advance(Duration.ofDays(31));
    // Replica one reads its clock inside the lock; it stops there until told to go on.
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    Clock pausing =
        new Clock() {
          @Override
          public Instant instant() {
            holding.countDown();
            try {
              goOn.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return clock.instant();
          }

          @Override
          public ZoneId getZone() {
            return clock.getZone();
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }
        };
    try (Database replicaOne = Database.open(url);
        Database replicaTwo = Database.open(url)) {
      RetentionSweeper one = new RetentionSweeper(replicaOne, blobs, retention(), pausing);
      RetentionSweeper two = new RetentionSweeper(replicaTwo, blobs, retention(), clock);
      CompletableFuture<Sweep> first = CompletableFuture.supplyAsync(one::sweepOnce);
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

      Sweep meanwhile = two.sweepOnce();
      assertThat(meanwhile.ran()).isFalse();
      assertThat(count("SELECT COUNT(*) FROM responses")).isEqualTo(10);

      goOn.countDown();
      Sweep done = first.get(30, TimeUnit.SECONDS);
      assertThat(done.ran()).isTrue();
      assertThat(done.deleted().get("responses").rows()).isEqualTo(10 * 4);
      Sweep after = two.sweepOnce();
      assertThat(after.ran()).isTrue();
      assertThat(after.rows()).isZero();
    }
  }
}
