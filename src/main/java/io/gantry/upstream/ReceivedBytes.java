package io.gantry.upstream;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Socket;
import java.util.function.IntSupplier;

/**
 * How many bytes of a backend's answer have already arrived but not yet been read: a relay holds
 * its flush while more is waiting, so a burst of events costs one write to the client while a lone
 * token is sent at once.
 *
 * <p>Helidon's client entity streams do not implement {@code available()}: they hand out one HTTP
 * chunk per read and keep what the socket read beyond it in a {@link DataReader} (whose own {@code
 * available()} is public, but the reader is a private field). This looks the fields up once, by
 * name, in Helidon 4.5's HTTP/1.1 client: the response's entity stream, its {@code currentBuffer}
 * and {@code reader}, and the socket behind it (what the kernel holds). When a Helidon upgrade
 * renames them, {@link #supported()} turns false and {@link #of} answers 0: every event is flushed
 * again, correct but slower ({@code ReceivedBytesTest} fails on such an upgrade).
 */
final class ReceivedBytes {
  private static final Handles HANDLES = Handles.find();

  private ReceivedBytes() {}

  /** Whether this Helidon's internals were found. */
  static boolean supported() {
    return HANDLES != null;
  }

  /**
   * Bytes received for {@code response} (a Helidon client response) and not yet handed out by
   * {@code entity} (its {@code inputStream()}), or 0 when unknown. Never blocks.
   */
  static int of(Object response, InputStream entity) {
    return counter(response, entity).getAsInt();
  }

  /**
   * {@link #of} for one response, asked once per relayed event: the streams, reader and socket
   * behind {@code response} are looked up here, once, and only the buffers are read per call.
   */
  static IntSupplier counter(Object response, InputStream entity) {
    Handles h = HANDLES;
    if (h == null) {
      return () -> 0;
    }
    Object inner = inner(h, response);
    DataReader reader;
    Socket socket;
    try {
      reader = inner == null ? null : h.reader(inner);
      socket = inner == null ? null : h.socket(inner);
    } catch (RuntimeException | LinkageError e) {
      return () -> 0;
    }
    return () -> {
      try {
        int waiting = buffered(h.current(entity));
        if (inner == null) {
          return waiting;
        }
        waiting += buffered(h.current(inner));
        if (reader != null) {
          waiting += reader.available();
        }
        if (waiting > 0 || socket == null) {
          return waiting;
        }
        // Nothing read ahead: ask the kernel (a syscall, so only when it can change the answer).
        return socket.getInputStream().available();
      } catch (Exception | LinkageError e) {
        return 0; // a closed socket, an unexpected stream: not knowing means flushing
      }
    };
  }

  /**
   * The HTTP/1.1 body stream (chunked or content-length) beneath {@code response}'s entity stream,
   * or null when the body is content-encoded or the internals were not found. Reading it directly
   * skips the entity stream's fresh buffer and extra copy per read; see {@link DirectBody}.
   */
  static InputStream bodyStream(Object response) {
    Handles h = HANDLES;
    Object inner = h == null ? null : inner(h, response);
    return inner instanceof InputStream in && h.innerFields().containsKey(in.getClass())
        ? in
        : null;
  }

  /**
   * The socket {@code response}'s body is read from, or null when the internals were not found. See
   * {@link DirectBody}: it reads without a socket timeout while the request's clock watches.
   */
  static Socket socketOf(Object response) {
    Handles h = HANDLES;
    Object inner = h == null ? null : inner(h, response);
    try {
      return inner == null ? null : h.socket(inner);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The stream beneath {@code response}'s entity stream, or null when not found. */
  private static Object inner(Handles h, Object response) {
    try {
      return h.responseStream(response);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  private static int buffered(BufferData buffer) {
    return buffer == null ? 0 : Math.max(0, buffer.available());
  }

  /** Field handles into Helidon's client classes, or null when any is missing. */
  private record Handles(
      Class<?> responseClass,
      VarHandle responseInput,
      Class<?> entityClass,
      VarHandle entityCurrent,
      java.util.Map<Class<?>, VarHandle[]> innerFields) {

    static Handles find() {
      try {
        Class<?> response = Class.forName("io.helidon.webclient.http1.Http1ClientResponseImpl");
        Class<?> entity =
            Class.forName("io.helidon.http.media.ReadableEntityBase$RequestingInputStream");
        java.util.Map<Class<?>, VarHandle[]> inner = new java.util.HashMap<>();
        for (String name : new String[] {"ChunkedInputStream", "ContentLengthInputStream"}) {
          Class<?> k = Class.forName("io.helidon.webclient.http1.Http1CallChainBase$" + name);
          MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(k, MethodHandles.lookup());
          inner.put(
              k,
              new VarHandle[] {
                lookup.findVarHandle(k, "currentBuffer", BufferData.class),
                lookup.findVarHandle(k, "reader", DataReader.class),
                lookup.findVarHandle(
                    k, socketField(k), io.helidon.common.socket.HelidonSocket.class)
              });
        }
        return new Handles(
            response,
            MethodHandles.privateLookupIn(response, MethodHandles.lookup())
                .findVarHandle(response, "inputStream", InputStream.class),
            entity,
            MethodHandles.privateLookupIn(entity, MethodHandles.lookup())
                .findVarHandle(entity, "currentBuffer", BufferData.class),
            java.util.Map.copyOf(inner));
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return null;
      }
    }

    private static String socketField(Class<?> k) throws NoSuchFieldException {
      for (String name : new String[] {"helidonSocket", "socket"}) {
        try {
          k.getDeclaredField(name);
          return name;
        } catch (NoSuchFieldException ignored) {
          // try the next spelling
        }
      }
      throw new NoSuchFieldException("socket field of " + k.getName());
    }

    BufferData current(Object stream) {
      if (stream.getClass() == entityClass) {
        return (BufferData) entityCurrent.get(stream);
      }
      VarHandle[] fields = innerFields.get(stream.getClass());
      return fields == null ? null : (BufferData) fields[0].get(stream);
    }

    Object responseStream(Object response) {
      return response.getClass() == responseClass ? responseInput.get(response) : null;
    }

    DataReader reader(Object inner) {
      VarHandle[] fields = innerFields.get(inner.getClass());
      return fields == null ? null : (DataReader) fields[1].get(inner);
    }

    Socket socket(Object inner) {
      VarHandle[] fields = innerFields.get(inner.getClass());
      if (fields == null) {
        return null;
      }
      Object helidonSocket = fields[2].get(inner);
      return helidonSocket == null ? null : SocketField.of(helidonSocket);
    }
  }

  /** The {@link Socket} inside Helidon's plain or TLS socket wrapper, found once per class. */
  private static final class SocketField {
    private static final java.util.Map<Class<?>, java.util.Optional<VarHandle>> BY_CLASS =
        new java.util.concurrent.ConcurrentHashMap<>();

    static Socket of(Object helidonSocket) {
      return BY_CLASS
          .computeIfAbsent(helidonSocket.getClass(), SocketField::find)
          .map(handle -> (Socket) handle.get(helidonSocket))
          .orElse(null);
    }

    private static java.util.Optional<VarHandle> find(Class<?> k) {
      for (Class<?> c = k; c != null; c = c.getSuperclass()) {
        for (java.lang.reflect.Field f : c.getDeclaredFields()) {
          if (Socket.class.isAssignableFrom(f.getType())
              && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
            try {
              return java.util.Optional.of(
                  MethodHandles.privateLookupIn(c, MethodHandles.lookup()).unreflectVarHandle(f));
            } catch (IllegalAccessException e) {
              return java.util.Optional.empty();
            }
          }
        }
      }
      return java.util.Optional.empty();
    }
  }
}
