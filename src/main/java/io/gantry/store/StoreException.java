package io.gantry.store;

/**
 * A storage operation failed. Unchecked because a caller can do nothing more specific than fail the
 * request; the message names the operation (never a URL or credential), the cause carries the
 * driver's detail for the log.
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
