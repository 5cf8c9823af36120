--[[
  countHit-1: counts hits in a fixed window (the API's rate limits, the edge's abuse limits).

  KEYS[1] counter  STRING  hits of one client in one window (the caller puts the window in the key)
  ARGV[1] how long the counter lives after its first hit, ms (at least the rest of its window)
  ARGV[2] hits to add (optional, 1 when absent): a process that counts locally sends its hits in one call

  Returns the count including these hits. The expiry is set by the same atomic step that creates the
  counter, so a counter can never be left without one. Publishes nothing.
]]
local hits = tonumber(ARGV[2] or '1')
local count = redis.call('INCRBY', KEYS[1], hits)
if count == hits then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
return count
