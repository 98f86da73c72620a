package io.gantry.edge;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where the answer to a request run from a socket message goes ({@link SocketChannel#exchange}).
 */
public interface SocketReplies {
  /** A whole answer: its status and body (an error envelope when the status is 400 or more). */
  void whole(int status, byte[] body) throws IOException;

  /** A streamed answer: what the surface writes, flush by flush (server-sent events). */
  OutputStream stream(int status) throws IOException;
}
