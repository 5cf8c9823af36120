--- @include "moveItems"
--[[
  HELD → FREE for release and expiry. KEYS as in releaseHold-7 / expireHold-7:
  [1] seats, [2] state, [3] free, [4] counts, [5] deadlines, [6] hold, [7] runs.
]]
local function freeHeld(jti, finalState, ttl)
  local items = cjson.decode(redis.call('HGET', KEYS[6], 'items'))
  if not itemsAre(KEYS[2], KEYS[4], items, jti, 'H') then
    return redis.error_reply('USHER:wrong_state seats of hold ' .. jti .. ' are not held by it')
  end
  moveItems(KEYS[1], KEYS[2], KEYS[3], KEYS[4], items, jti, 'H', 'F', KEYS[7])
  redis.call('HSET', KEYS[6], 'state', finalState)
  redis.call('ZREM', KEYS[5], jti)
  redis.call('EXPIRE', KEYS[6], ttl)
  return 1
end
