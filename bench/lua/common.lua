-- common.lua — the timing protocol shared by the Lua benchmarks.
-- Each benchmark calls bench(workload): one untimed warm-up run, then N timed
-- runs (N = arg[1], default 5), timed with os.clock (CPU seconds: Lua's
-- standard library has no sub-second wall clock; the programs are
-- single-threaded and do no I/O, so CPU time is wall time here).
-- Prints "result <value>" and "ms <t1> <t2> ...".
function bench(workload)
  local n = tonumber(arg[1]) or 5
  local result = workload()
  local times = {}
  for i = 1, n do
    local t0 = os.clock()
    local r = workload()
    times[i] = string.format("%.3f", (os.clock() - t0) * 1000)
    assert(r == result, "result changed between runs")
  end
  print("result " .. tostring(result))
  print("ms " .. table.concat(times, " "))
end
