-- wrk script for bench_serving.py: POST one JSON body to every request, optionally with
-- an Authorization header, and print the figures as one JSON line at the end.
--
--   wrk -t2 -c32 -d15s -s benchmarks/wrk_invoke.lua URL -- '<json body>' ['token <t>']
--
-- The last line of wrk's output is {"requests", "duration_us", "rps", "p50_us", ...,
-- "errors": {"connect", "read", "write", "status", "timeout"}}; wrk counts every answer
-- other than 2xx/3xx as a status error.

function init(args)
  wrk.method = "POST"
  wrk.body = args[1] or '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  if args[2] ~= nil and args[2] ~= "" then
    wrk.headers["Authorization"] = args[2]
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "rps": %.2f, "p50_us": %d, "p90_us": %d,'
      .. ' "p99_us": %d, "mean_us": %.1f, "max_us": %d, "errors": {"connect": %d,'
      .. ' "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
