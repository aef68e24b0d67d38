-- wrk script for bench/scale.py: headers from the WRK_HEADERS environment
-- variable ("Name: value" lines), and at the end one JSON line with the
-- percentiles, the request rate, the non-2xx answers and the mean of the
-- X-Query-Count header.
local threads = {}

local raw = os.getenv("WRK_HEADERS") or ""
for line in raw:gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  queries, counted, bad = 0, 0, 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
  local q = headers["X-Query-Count"] or headers["x-query-count"]
  if q then
    queries = queries + tonumber(q)
    counted = counted + 1
  end
end

function done(summary, latency, requests)
  local q, c, b = 0, 0, 0
  for _, t in ipairs(threads) do
    q = q + t:get("queries")
    c = c + t:get("counted")
    b = b + t:get("bad")
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50_ms": %.2f, "p90_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f, "non2xx": %d, "socket_errors": %d, "queries_mean": %s}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    b, errors, c > 0 and string.format("%.2f", q / c) or "null"))
end
