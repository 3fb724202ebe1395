-- map-build: fill a (mutable) table with 100,000 entries i -> i*2, then
-- sum its values.  Lua has no persistent map; a table is its idiom.
dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")

bench(function()
  local m = {}
  for i = 0, 100000 - 1 do m[i] = i * 2 end
  local sum = 0
  for _, v in pairs(m) do sum = sum + v end
  return sum
end)
