--[[
  hit-1: counts one action of one client address in a fixed window (abuse limits).

  KEYS[1] the window's counter (abuseCounterKey)
  ARGV[1] window length ms

  Returns the count in this window including this hit. Publishes nothing.
]]
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
return n
