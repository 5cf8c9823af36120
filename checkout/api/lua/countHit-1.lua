--[[
  Counts one request in a fixed rate-limit window.

  KEYS[1] counter  STRING  requests of one client in one window
  ARGV[1] window length in seconds (the key outlives the window by one second)

  Returns the count including this request. The expiry is set by the same atomic step that
  creates the counter, so a counter can never be left without one.
]]
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]) + 1) end
return count
