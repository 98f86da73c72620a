package io.gantry.store;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class, with the reason in the report, when PostgreSQL does not answer, unless
 * {@code GANTRY_REQUIRE_POSTGRES} is set: then the class runs and its set-up fails loudly. A
 * condition rather than an assumption in {@code @BeforeAll}, because the build report counts a
 * disabled class's tests as skipped but an aborted class's as nothing at all.
 */
final class PostgresAvailable implements ExecutionCondition {
  /** Probed once per test run, on first use. */
  private static final class Probe {
    static final String REASON = PostgresTestDatabase.unreachableReason();
  }

  /** Null when PostgreSQL answers, otherwise why not. */
  static String unreachableReason() {
    return Probe.REASON;
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String why = unreachableReason();
    if (why == null) {
      return ConditionEvaluationResult.enabled("PostgreSQL answers");
    }
    if (PostgresTestDatabase.required()) {
      return ConditionEvaluationResult.enabled("GANTRY_REQUIRE_POSTGRES is set");
    }
    String skip = "PostgreSQL tests skipped, PostgreSQL is unreachable: " + why;
    System.err.println(skip);
    return ConditionEvaluationResult.disabled(skip);
  }
}
