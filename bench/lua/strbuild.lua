-- strbuild: the decimal strings of 0..99,999 joined into one string with
-- table.concat; the result is the string's length.
dofile((arg[0]:match("^(.*)/") or ".") .. "/common.lua")

bench(function()
  local parts = {}
  for i = 0, 100000 - 1 do parts[i + 1] = tostring(i) end
  return #table.concat(parts)
end)
