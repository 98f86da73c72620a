package io.gantry.observe;

/**
 * Distributed traces: a server span per request and a client span per backend attempt. {@link #OFF}
 * (no OTLP endpoint configured) builds no SDK and allocates nothing for a request that carries no
 * {@code traceparent}; {@link OtlpTracing} exports over OTLP.
 */
public interface Tracing extends AutoCloseable {
  /**
   * Tracing off. A client's {@code traceparent}/{@code tracestate} still go upstream unchanged, as
   * a proxy that does not trace passes them on, so a trace recorded by the client and the backend
   * stays linked through a Gantry that records nothing.
   */
  Tracing OFF =
      new Tracing() {
        @Override
        public RequestSpan startRequest(
            String method, String route, String traceparent, String tracestate) {
          return traceparent == null ? RequestSpan.NONE : new PassThrough(traceparent, tracestate);
        }

        @Override
        public void close() {}
      };

  /**
   * Starts the span of one request.
   *
   * @param method the HTTP method
   * @param route the route pattern ({@code /v1/responses/{id}}), never the raw path; null when no
   *     route matched
   * @param traceparent the client's W3C {@code traceparent} header, or null
   * @param tracestate the client's W3C {@code tracestate} header, or null
   */
  RequestSpan startRequest(String method, String route, String traceparent, String tracestate);

  /** Exports what is still buffered, then stops. */
  @Override
  void close();

  /** The span of one request: the parent of its backend attempts, ended with its record. */
  interface RequestSpan {
    RequestSpan NONE = new PassThrough(null, null);

    /**
     * Starts the span of one backend attempt, a child of this request's span.
     *
     * @param backend the backend's name
     * @param method the HTTP method
     * @param baseUrl the backend's base URL
     * @param path the path under it, a fixed template such as {@code /chat/completions}
     * @param host the backend's host
     * @param port the backend's port
     */
    UpstreamSpan startUpstream(
        String backend, String method, String baseUrl, String path, String host, int port);

    /** Ends the span with what the request's record gathered (model, usage, status, error). */
    void end(RequestRecord record);
  }

  /** The span of one backend attempt, ended when its response is closed. */
  interface UpstreamSpan {
    UpstreamSpan NONE = new PassThrough(null, null);

    /** The W3C {@code traceparent} to send to the backend, or null for none. */
    String traceparent();

    /** The W3C {@code tracestate} to send to the backend, or null for none. */
    String tracestate();

    /** The backend's HTTP status. */
    void responded(int status);

    /** The attempt failed before a response; {@code errorType} is a short closed-set name. */
    void failed(String errorType);

    void end();
  }

  /** Records nothing; hands the client's trace context (if any) to the backend unchanged. */
  record PassThrough(String traceparent, String tracestate) implements RequestSpan, UpstreamSpan {
    @Override
    public UpstreamSpan startUpstream(
        String backend, String method, String baseUrl, String path, String host, int port) {
      return this;
    }

    @Override
    public void end(RequestRecord record) {}

    @Override
    public void responded(int status) {}

    @Override
    public void failed(String errorType) {}

    @Override
    public void end() {}
  }
}
