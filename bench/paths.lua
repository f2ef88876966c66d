-- wrk script for the benchmark: a bearer token and a list of paths come from the
-- environment (BENCH_TOKEN, BENCH_PATHS separated by spaces); each thread cycles through
-- the paths, so reads of "a proposal" spread over many proposals, not one hot row.
local token = os.getenv("BENCH_TOKEN") or ""
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do
  paths[#paths + 1] = p
end
local i = 0

if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Accept"] = "application/json"

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

-- One JSON line on stdout, parsed by bench/wrk.py (latencies are in microseconds).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
