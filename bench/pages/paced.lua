-- wrk script for W5's paced runs: each connection waits BENCH_PACE_MS
-- between a response and its next request, so the article is asked for at
-- a steady rate (connections x 1000 / (pace + latency) per second) instead
-- of as fast as the server can answer; its latency is then service time,
-- not queueing, and a rise in it is what the comment flood costs.
-- done() is measure.lua's, loaded from next to this file.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "measure.lua")

local pace = tonumber(os.getenv("BENCH_PACE_MS") or "20")

delay = function()
  return pace
end
