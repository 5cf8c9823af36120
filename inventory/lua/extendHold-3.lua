--[[
  Payment grace: a HELD hold's deadline moves once by the sale's payment_grace_seconds.
  Idempotent: an extended, CLAIMED or SOLD hold is answered unchanged.

  KEYS[1] meta  KEYS[2] deadlines  KEYS[3] hold
  ARGV[1] jti

  Returns {'hold', field, value, …}
  Errors: USHER:hold_not_found, USHER:hold_expired (released, expired, or past its deadline)
]]
--- @include "nowMs"
--- @include "holdReply"

if redis.call('EXISTS', KEYS[3]) == 0 then return redis.error_reply('USHER:hold_not_found') end
local state, extended, deadline = unpack(redis.call('HMGET', KEYS[3], 'state', 'extended', 'deadline'))
if state == 'CLAIMED' or state == 'SOLD' then return holdReply(KEYS[3], 'hold') end
if state ~= 'HELD' then return redis.error_reply('USHER:hold_expired') end
if extended == '1' then return holdReply(KEYS[3], 'hold') end
if nowMs() >= tonumber(deadline) then return redis.error_reply('USHER:hold_expired') end
local grace = tonumber(redis.call('HGET', KEYS[1], 'grace_s') or '0')
local newDeadline = tonumber(deadline) + grace * 1000
redis.call('HSET', KEYS[3], 'deadline', newDeadline, 'extended', '1')
redis.call('ZADD', KEYS[2], newDeadline, ARGV[1])
return holdReply(KEYS[3], 'hold')
