--[[
  countHit-1: counts one hit in a fixed window (the API's rate limits, the edge's abuse limits).

  KEYS[1] counter  STRING  hits of one client in one window (the caller puts the window in the key)
  ARGV[1] how long the counter lives after its first hit, ms (at least the rest of its window)

  Returns the count including this hit. The expiry is set by the same atomic step that creates the
  counter, so a counter can never be left without one. Publishes nothing.
]]
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
return count
