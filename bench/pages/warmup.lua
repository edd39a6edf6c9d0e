-- wrk script for warm-up runs: counts answers of the expected status
-- (BENCH_EXPECT_STATUS, 200 unless a conditional GET expects 304) and
-- X-Page-Cache values per thread (each wrk thread has its own Lua state),
-- and sums them in done().
local threads = {}
local expected = tonumber(os.getenv("BENCH_EXPECT_STATUS") or "200")

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  ok, bad, hits, misses, none = 0, 0, 0, 0, 0
end

response = function(status, headers, body)
  if status == expected then ok = ok + 1 else bad = bad + 1 end
  local value = nil
  for name, v in pairs(headers) do
    if string.lower(name) == "x-page-cache" then value = v end
  end
  if value == "hit" then hits = hits + 1
  elseif value == "miss" then misses = misses + 1
  else none = none + 1 end
end

done = function(summary, latency, requests)
  local t = {ok = 0, bad = 0, hits = 0, misses = 0, none = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + (thread:get(name) or 0) end
  end
  io.write(string.format(
    'WARMUP_JSON {"requests":%d,"ok":%d,"unexpected":%d,"hits":%d,"misses":%d,"no_header":%d}\n',
    summary.requests, t.ok, t.bad, t.hits, t.misses, t.none))
end
