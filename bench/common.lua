-- Shared by the wrk scripts in this directory (loaded with dofile from the script's own folder).
-- Sets up the POST and prints one machine-readable summary line that bench/run.sh parses.
-- No response() callback on purpose: it makes wrk parse every body in Lua and slows the client;
-- wrk already counts HTTP statuses >= 400 as errors (err_status), and bytes/request is printed as a
-- cheap check that every target returned the same amount of data.

function chat_request(body, path)
  wrk.method = "POST"
  wrk.path = path or "/v1/chat/completions"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = body
end

function done(summary, latency, requests)
  local e = summary.errors
  local n = summary.requests
  io.write(string.format(
    "BENCH requests=%d duration_us=%d bytes_per_req=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    n, summary.duration, n > 0 and summary.bytes / n or 0,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
