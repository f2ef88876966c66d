-- wrk script for the benchmark. Either a bearer token and a list of GET paths come from the
-- environment (BENCH_TOKEN, BENCH_PATHS separated by spaces) and each thread cycles through
-- the paths, so reads of "a proposal" spread over many proposals, not one hot row; or
-- BENCH_REQUESTS names a file of requests, one a line: METHOD, path, token, body separated by
-- tabs. Threads take alternate lines, each once before any repeats, so writes meet fresh
-- slots and fresh ballots while the file lasts.
local token = os.getenv("BENCH_TOKEN") or ""
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do
  paths[#paths + 1] = p
end
local requests = nil
local i = 0
local step = 1
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

init = function(args)
  local file = os.getenv("BENCH_REQUESTS")
  if file and file ~= "" then
    requests = {}
    for line in io.lines(file) do
      local method, path, bearer, body = line:match("^(%u+)\t([^\t]+)\t([^\t]*)\t(.*)$")
      local headers = {["Accept"] = "application/json", ["Content-Type"] = "application/json"}
      if bearer ~= "" then headers["Authorization"] = "Bearer " .. bearer end
      requests[#requests + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
    end
    i = (tid or 1) - 1
    step = tonumber(os.getenv("BENCH_THREADS") or "2")
  end
end

if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.headers["Accept"] = "application/json"

request = function()
  if requests then
    local r = requests[i % #requests + 1]
    i = i + step
    return r
  end
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
