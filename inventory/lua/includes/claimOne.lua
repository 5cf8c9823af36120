--- @include "nowMs"
--- @include "holdReply"
--- @include "moveItems"
--[[
  The claim of one hold (claimHold-8.lua, claimHolds-N.lua): HELD → CLAIMED, or a hold that is gone
  reacquired when exactly the expected seats are still free. `k` holds the shard's keys (seats,
  state, free, counts, deadlines, claims, holds), `holdKey` the hold's record.
  Returns {'claimed' | 'reacquired' | 'already_sold', field, value, …} | {'lost'}, or
  {err = 'USHER:wrong_state …'} (nothing written) when the seat states disagree with the hold.
]]
local function claimOne(k, holdKey, jti, expectedJson, amount, currency, now)
  local state, restocked = unpack(redis.call('HMGET', holdKey, 'state', 'restocked'))
  if state == 'CLAIMED' then return holdReply(holdKey, 'claimed') end
  if state == 'SOLD' then return holdReply(holdKey, 'already_sold') end
  if state == 'HELD' then
    local items = cjson.decode(redis.call('HGET', holdKey, 'items'))
    if not itemsAre(k.state, k.counts, items, jti, 'H') then
      return { err = 'USHER:wrong_state seats of hold ' .. jti .. ' are not held by it' }
    end
    moveItems(k.seats, k.state, k.free, k.counts, items, jti, 'H', 'C')
    redis.call('HSET', holdKey, 'state', 'CLAIMED', 'claimed_at', now)
    redis.call('ZREM', k.deadlines, jti)
    redis.call('ZADD', k.claims, now, jti)
    redis.call('SADD', k.holds, jti) -- holdSeats leaves this to the claim
    return holdReply(holdKey, 'claimed')
  end
  -- gone: reacquire exactly the paid-for seats, or report the hold lost
  if restocked == '1' then return { 'lost' } end
  local items = cjson.decode(expectedJson)
  for _, it in ipairs(items) do
    if it.i ~= '' and redis.call('HEXISTS', k.seats, it.i) == 0 then return { 'lost' } end
  end
  if #items == 0 or not itemsAre(k.state, k.counts, items, jti, 'F') then return { 'lost' } end
  moveItems(k.seats, k.state, k.free, k.counts, items, jti, 'F', 'C')
  redis.call('DEL', holdKey)
  redis.call('HSET', holdKey, 'state', 'CLAIMED', 'items', expectedJson, 'amount', amount, 'currency', currency,
    'deadline', now, 'extended', '0', 'jti', jti, 'created', now, 'claimed_at', now, 'reacquired', '1')
  redis.call('ZREM', k.deadlines, jti)
  redis.call('ZADD', k.claims, now, jti)
  redis.call('SADD', k.holds, jti)
  return holdReply(holdKey, 'reacquired')
end
