--[[
  CLAIMED → SOLD once the order is committed in Postgres. Idempotent: SOLD answers 0.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] claims  KEYS[6] hold
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  ARGV[1] jti

  Returns 1 finalized | 0 already SOLD
  Errors: USHER:hold_not_found, USHER:wrong_state (not CLAIMED, or seat states disagree)
]]
--- @include "nowMs"
--- @include "moveItems"

local jti = ARGV[1]
if redis.call('EXISTS', KEYS[6]) == 0 then return redis.error_reply('USHER:hold_not_found') end
local state = redis.call('HGET', KEYS[6], 'state')
if state == 'SOLD' then return 0 end
if state ~= 'CLAIMED' then return redis.error_reply('USHER:wrong_state hold is ' .. state) end
local items = cjson.decode(redis.call('HGET', KEYS[6], 'items'))
if not itemsAre(KEYS[2], KEYS[4], items, jti, 'C') then
  return redis.error_reply('USHER:wrong_state seats of hold ' .. jti .. ' are not claimed by it')
end
moveItems(KEYS[1], KEYS[2], KEYS[3], KEYS[4], items, jti, 'C', 'S')
redis.call('HSET', KEYS[6], 'state', 'SOLD', 'sold_at', nowMs())
redis.call('ZREM', KEYS[5], jti)
return 1
