--[[
  CLAIMED → FREE when a commit cannot complete (payment failed after the claim). Idempotent:
  RELEASED or EXPIRED answers 0.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] claims  KEYS[6] hold  KEYS[7] runs
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  ARGV[1] jti
  ARGV[2] TTL seconds of the released hold record

  Returns 1 unclaimed | 0 already free
  Errors: USHER:hold_not_found, USHER:wrong_state (HELD or SOLD, or seat states disagree)
]]
--- @include "moveItems"

local jti = ARGV[1]
if redis.call('EXISTS', KEYS[6]) == 0 then return redis.error_reply('USHER:hold_not_found') end
local state = redis.call('HGET', KEYS[6], 'state')
if state == 'RELEASED' or state == 'EXPIRED' then return 0 end
if state ~= 'CLAIMED' then return redis.error_reply('USHER:wrong_state hold is ' .. state) end
local items = cjson.decode(redis.call('HGET', KEYS[6], 'items'))
if not itemsAre(KEYS[2], KEYS[4], items, jti, 'C') then
  return redis.error_reply('USHER:wrong_state seats of hold ' .. jti .. ' are not claimed by it')
end
moveItems(KEYS[1], KEYS[2], KEYS[3], KEYS[4], items, jti, 'C', 'F', KEYS[7])
redis.call('HSET', KEYS[6], 'state', 'RELEASED')
redis.call('ZREM', KEYS[5], jti)
redis.call('EXPIRE', KEYS[6], ARGV[2])
return 1
