-- mfr: (reduce + (filter even? (map inc v))) over a 1,000,000-element
-- array, with small eager map/filter/reduce helpers (each makes a new table).
dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")

local function map(f, t)
  local r = {}
  for i = 1, #t do r[i] = f(t[i]) end
  return r
end

local function filter(p, t)
  local r, n = {}, 0
  for i = 1, #t do
    local x = t[i]
    if p(x) then n = n + 1; r[n] = x end
  end
  return r
end

local function reduce(f, init, t)
  local acc = init
  for i = 1, #t do acc = f(acc, t[i]) end
  return acc
end

local function inc(x) return x + 1 end
local function even(x) return x % 2 == 0 end
local function add(a, b) return a + b end

bench(function()
  local v = {}
  for i = 1, 1000000 do v[i] = i - 1 end
  return reduce(add, 0, filter(even, map(inc, v)))
end)
