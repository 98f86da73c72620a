package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gantry.config.CircuitConfig;
import io.gantry.config.ConcurrencyConfig;
import io.gantry.testing.StubBackend;
import io.gantry.upstream.Cancellation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The lease and queue rules of {@link ReplicaSlots}, without HTTP. */
class ReplicaSlotsTest {
  private final ReplicaSlots slots = new ReplicaSlots();
  private static final UnaryOperator<List<RegisteredBackend>> AS_GIVEN = list -> list;

  private static RegisteredBackend replica(String name, int limit, int queue, int timeoutMs) {
    return new RegisteredBackend(
        new StubBackend(name), // these tests never call a backend
        "config",
        List.of("m"),
        1.0,
        CircuitConfig.DEFAULTS,
        new ConcurrencyConfig(limit, queue, timeoutMs));
  }

  @Test
  void aLeaseIsReleasedExactlyOnce() {
    RegisteredBackend a = replica("a", 0, 0, 1000);
    Lease first = slots.acquire(List.of(a), AS_GIVEN, true, null);
    Lease second = slots.acquire(List.of(a), AS_GIVEN, true, null);
    assertThat(a.inFlight()).isEqualTo(2);
    first.release();
    first.release();
    assertThat(a.inFlight()).isEqualTo(1);
    second.release();
    assertThat(a.inFlight()).isZero();
  }

  @Test
  void freedSlotsGoToWaitersInArrivalOrder() throws Exception {
    RegisteredBackend a = replica("a", 1, 10, 10_000);
    Lease holder = slots.acquire(List.of(a), AS_GIVEN, true, null);
    List<Integer> served = new CopyOnWriteArrayList<>();
    List<Thread> waiters = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      waiters.add(
          Thread.ofVirtual()
              .start(() -> {
                Lease lease = slots.acquire(List.of(a), AS_GIVEN, true, null);
                served.add(n);
                lease.release();
              }));
      int queued = i + 1;
      await().atMost(Duration.ofSeconds(2)).until(() -> a.waiting() == queued);
    }
    holder.release();
    for (Thread t : waiters) {
      t.join(5000);
    }
    assertThat(served).containsExactly(0, 1, 2, 3, 4);
    assertThat(a.inFlight()).isZero();
    assertThat(a.waiting()).isZero();
  }

  @Test
  void aSlotFreedOnAnyReplicaOfThePoolWakesTheWaiter() throws Exception {
    RegisteredBackend a = replica("a", 1, 10, 10_000);
    RegisteredBackend b = replica("b", 1, 10, 10_000);
    Lease onA = slots.acquire(List.of(a, b), AS_GIVEN, true, null);
    Lease onB = slots.acquire(List.of(a, b), AS_GIVEN, true, null);
    assertThat(onB.replica()).isSameAs(b);
    java.util.concurrent.atomic.AtomicReference<Lease> got =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread waiter =
        Thread.ofVirtual().start(() -> got.set(slots.acquire(List.of(a, b), AS_GIVEN, true, null)));
    await().atMost(Duration.ofSeconds(2)).until(() -> a.waiting() + b.waiting() == 1);
    onB.release();
    waiter.join(5000);
    assertThat(got.get().replica()).isSameAs(b);
    // A newcomer cannot take the slot the waiter was handed.
    assertThat(b.inFlight()).isEqualTo(1);
    onA.release();
    got.get().release();
  }

  @Test
  void aFullQueueRefusesAtOnceAndAnExpiredWaitIsRefused() {
    RegisteredBackend a = replica("a", 1, 0, 10_000);
    Lease holder = slots.acquire(List.of(a), AS_GIVEN, true, null);
    assertThatThrownBy(() -> slots.acquire(List.of(a), AS_GIVEN, true, null))
        .isInstanceOfSatisfying(
            BackendOverloadedException.class,
            e -> {
              assertThat(e.reason()).isEqualTo("full");
              assertThat(e.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
            });
    RegisteredBackend b = replica("b", 1, 5, 50);
    Lease other = slots.acquire(List.of(b), AS_GIVEN, true, null);
    assertThatThrownBy(() -> slots.acquire(List.of(b), AS_GIVEN, true, null))
        .isInstanceOfSatisfying(
            BackendOverloadedException.class, e -> assertThat(e.reason()).isEqualTo("timeout"));
    assertThat(b.waiting()).isZero();
    holder.release();
    other.release();
  }

  @Test
  void aCancelledWaiterLeavesTheQueueAtOnce() throws Exception {
    RegisteredBackend a = replica("a", 1, 5, 30_000);
    Lease holder = slots.acquire(List.of(a), AS_GIVEN, true, null);
    Cancellation cancellation = new Cancellation();
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread waiter =
        Thread.ofVirtual()
            .start(() -> {
              try {
                slots.acquire(List.of(a), AS_GIVEN, true, cancellation);
              } catch (RuntimeException e) {
                thrown.set(e);
              }
            });
    await().atMost(Duration.ofSeconds(2)).until(() -> a.waiting() == 1);
    cancellation.cancel(Cancellation.Reason.CANCELLED);
    waiter.join(2000);
    assertThat(thrown.get()).isInstanceOf(WaitCancelledException.class);
    assertThat(a.waiting()).isZero();
    holder.release();
    assertThat(a.inFlight()).isZero(); // the slot was not handed to the gone waiter
  }
}
