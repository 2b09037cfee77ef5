-- wrk script for scripts/bench.py: after the run, print ONE line of JSON with the figures the harness reads.
--
-- Latencies are in microseconds inside wrk; the line gives milliseconds. wrk itself counts only answers >= 400
-- (errors.status); each thread also counts every answer outside 200-299 (a redirect to the login page, say) in
-- `non_2xx`, and done() adds them up.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local non_2xx_total = 0
  for _, thread in ipairs(threads) do
    non_2xx_total = non_2xx_total + (thread:get("non_2xx") or 0)
  end
  io.write(string.format(
    '{"requests_per_sec": %.2f, "p50_ms": %.3f, "p95_ms": %.3f, "requests": %d, "duration_s": %.3f, '
      .. '"errors": {"non_2xx": %d, "status": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    summary.requests,
    seconds,
    non_2xx_total,
    errors.status,
    errors.connect,
    errors.read,
    errors.write,
    errors.timeout
  ))
end
