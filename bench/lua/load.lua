-- wrk script for bench/http_ceiling.py: one connection per wrk thread
-- (run wrk with -t N -c N), each thread with its own student token.
--   MODE=health            GET /health
--   MODE=status            GET /status?t=TOKEN
--   MODE=register_cancel   POST /register?t=TOKEN, POST /cancel?t=TOKEN, alternately
-- TOKENS=path/to/file: one token per line (thread i takes line i, wrapping).
-- done() prints one line "WRK_JSON {...}" with the counts and latency percentiles.

local mode = os.getenv("MODE") or "health"
local tokens = {}
local tokens_file = os.getenv("TOKENS")
if tokens_file then
  for line in io.lines(tokens_file) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  if #tokens > 0 then
    thread:set("token", tokens[((counter - 1) % #tokens) + 1])
  end
  table.insert(threads, thread)
end

function init(args)
  n = 0
  c2xx, c4xx, c409, c503, c5xx = 0, 0, 0, 0, 0
end

function request()
  n = n + 1
  if mode == "status" then
    return wrk.format("GET", "/status?t=" .. token)
  elseif mode == "register_cancel" then
    local path = (n % 2 == 1) and "/register?t=" or "/cancel?t="
    return wrk.format("POST", path .. token, {["Content-Length"] = "0"})
  else
    return wrk.format("GET", "/health")
  end
end

function response(status, headers, body)
  if status < 300 then c2xx = c2xx + 1
  elseif status == 409 then c409 = c409 + 1; c4xx = c4xx + 1
  elseif status < 500 then c4xx = c4xx + 1
  elseif status == 503 then c503 = c503 + 1; c5xx = c5xx + 1
  else c5xx = c5xx + 1 end
end

function done(summary, latency, requests)
  local t = {ok = 0, c4xx = 0, c409 = 0, c503 = 0, c5xx = 0}
  for _, thread in ipairs(threads) do
    t.ok = t.ok + thread:get("c2xx")
    t.c4xx = t.c4xx + thread:get("c4xx")
    t.c409 = t.c409 + thread:get("c409")
    t.c503 = t.c503 + thread:get("c503")
    t.c5xx = t.c5xx + thread:get("c5xx")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"mode": "%s", "requests": %d, "duration_us": %d, "ok": %d, "c4xx": %d, "c409": %d, "c503": %d, "c5xx": %d, ' ..
    '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d, ' ..
    '"lat_p50_us": %d, "lat_p90_us": %d, "lat_p99_us": %d, "lat_max_us": %d, "lat_mean_us": %.1f}\n',
    mode, summary.requests, summary.duration, t.ok, t.c4xx, t.c409, t.c503, t.c5xx,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
