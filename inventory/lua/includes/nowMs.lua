-- Redis server time in ms: every deadline in the inventory comes from one clock, not the callers'.
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
