package io.gantry.store;

import java.util.List;

/** The audit trail: appended, read newest first. */
public interface AuditStore {
  void append(AuditEntry entry);

  /** Up to {@code limit} entries, newest first, optionally only one action. */
  List<AuditEntry> recent(String action, int limit);
}
