package io.gantry.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes each event's message as one line to standard output through a buffer that is flushed when
 * full and every {@code flushMillis} (default 200): at thousands of requests a second, one write
 * call per access-log line costs more than the request itself. Lines reach the output at most
 * {@code flushMillis} late and all of them at shutdown (a SIGKILL can lose the last ones).
 */
public final class BufferedStdoutAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private final ReentrantLock lock = new ReentrantLock();
  private OutputStream out;
  private ScheduledExecutorService flusher;
  private long flushMillis = 200;

  public void setFlushMillis(long millis) {
    this.flushMillis = millis;
  }

  @Override
  public void start() {
    out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    flusher =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("gantry-access-log-flush").factory());
    flusher.scheduleWithFixedDelay(
        Supervision.guarded("gantry-access-log-flush", this::flush),
        flushMillis,
        flushMillis,
        TimeUnit.MILLISECONDS);
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    byte[] line = (event.getFormattedMessage() + "\n").getBytes(StandardCharsets.UTF_8);
    lock.lock();
    try {
      out.write(line);
    } catch (IOException e) {
      addError("cannot write an access-log line", e);
    } finally {
      lock.unlock();
    }
  }

  private void flush() {
    lock.lock();
    try {
      out.flush();
    } catch (IOException e) {
      addError("cannot flush the access log", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void stop() {
    if (flusher != null) {
      flusher.shutdownNow();
    }
    if (out != null) {
      flush();
    }
    super.stop();
  }
}
