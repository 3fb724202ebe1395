-- loop: sum of 0..10,000,000 (exclusive) with a numeric for loop.
dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")

bench(function()
  local acc = 0
  for i = 0, 10000000 - 1 do acc = acc + i end
  return acc
end)
