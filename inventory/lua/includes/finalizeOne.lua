--- @include "nowMs"
--- @include "moveItems"
--[[
  The finalize of one hold (finalizeHold-6.lua, finalizeHolds-N.lua): CLAIMED → SOLD. `k` holds the
  shard's keys (seats, state, free, counts, claims), `holdKey` the hold's record.
  Returns 1 finalized | 0 already SOLD, or {err = 'USHER:hold_not_found' | 'USHER:wrong_state …'}
  (nothing written).
]]
local function finalizeOne(k, holdKey, jti, now)
  if redis.call('EXISTS', holdKey) == 0 then return { err = 'USHER:hold_not_found' } end
  local state = redis.call('HGET', holdKey, 'state')
  if state == 'SOLD' then return 0 end
  if state ~= 'CLAIMED' then return { err = 'USHER:wrong_state hold is ' .. state } end
  local items = cjson.decode(redis.call('HGET', holdKey, 'items'))
  if not itemsAre(k.state, k.counts, items, jti, 'C') then
    return { err = 'USHER:wrong_state seats of hold ' .. jti .. ' are not claimed by it' }
  end
  moveItems(k.seats, k.state, k.free, k.counts, items, jti, 'C', 'S')
  redis.call('HSET', holdKey, 'state', 'SOLD', 'sold_at', now)
  redis.call('ZREM', k.claims, jti)
  return 1
end
