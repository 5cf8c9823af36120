--[[
  One round trip for a request made with an admission pass: is the pass's lease active, how many
  requests has the pass made in the current rate-limit window, and how many holds it has released
  (the holder of its next hold: admission/pass-holder.ts).

  KEYS[1] active    ZSET    the sale's leases: pass jti → lease deadline (ms)
  KEYS[2] counter   STRING  this pass's requests in this window
  KEYS[3] releases  STRING  holds this pass has released (absent: none)
                    all three carry the sale's hash tag: one Cluster slot
  ARGV[1] pass jti
  ARGV[2] now (ms, the API's clock, as every lease check uses)
  ARGV[3] window length in seconds (the counter outlives the window by one second)

  Returns {1 if the lease is active else 0, the count including this request, releases}. The
  request is counted either way: a pass that keeps calling after its lease ended is still limited.
]]
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
local active = 0
if deadline and tonumber(deadline) > tonumber(ARGV[2]) then active = 1 end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]) + 1) end
return {active, count, tonumber(redis.call('GET', KEYS[3]) or '0')}
