--[[
  The one linearization point between a payment and expiry: whichever of claim and the sweeper
  runs first decides. HELD (even past its deadline, not yet swept) → CLAIMED. A hold that is gone
  (expired and swept, released, or lost with Redis) is reacquired when exactly the expected seats
  are still free; otherwise the payment must be voided.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] deadlines  KEYS[6] claims
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  KEYS[7] holds  KEYS[8] hold
  ARGV[1] jti
  ARGV[2] expected items, JSON [{s, t, i ('' for GA), n, p, l}] (what the payment was for)
  ARGV[3] expected amount (minor units)
  ARGV[4] currency

  Returns {'claimed' | 'reacquired' | 'already_sold', field, value, …} | {'lost'}
  Errors: USHER:wrong_state (seat states disagree with the hold: audit)
]]
--- @include "nowMs"
--- @include "holdReply"
--- @include "moveItems"

local jti = ARGV[1]
local now = nowMs()
local state, restocked = unpack(redis.call('HMGET', KEYS[8], 'state', 'restocked'))
if state == 'CLAIMED' then return holdReply(KEYS[8], 'claimed') end
if state == 'SOLD' then return holdReply(KEYS[8], 'already_sold') end
if state == 'HELD' then
  local items = cjson.decode(redis.call('HGET', KEYS[8], 'items'))
  if not itemsAre(KEYS[2], KEYS[4], items, jti, 'H') then
    return redis.error_reply('USHER:wrong_state seats of hold ' .. jti .. ' are not held by it')
  end
  moveItems(KEYS[1], KEYS[2], KEYS[3], KEYS[4], items, jti, 'H', 'C')
  redis.call('HSET', KEYS[8], 'state', 'CLAIMED', 'claimed_at', now)
  redis.call('ZREM', KEYS[5], jti)
  redis.call('ZADD', KEYS[6], now, jti)
  redis.call('SADD', KEYS[7], jti) -- holdSeats leaves this to the claim
  return holdReply(KEYS[8], 'claimed')
end
-- gone: reacquire exactly the paid-for seats, or report the hold lost
if restocked == '1' then return { 'lost' } end
local items = cjson.decode(ARGV[2])
for _, it in ipairs(items) do
  if it.i ~= '' and redis.call('HEXISTS', KEYS[1], it.i) == 0 then return { 'lost' } end
end
if #items == 0 or not itemsAre(KEYS[2], KEYS[4], items, jti, 'F') then return { 'lost' } end
moveItems(KEYS[1], KEYS[2], KEYS[3], KEYS[4], items, jti, 'F', 'C')
redis.call('DEL', KEYS[8])
redis.call('HSET', KEYS[8], 'state', 'CLAIMED', 'items', ARGV[2], 'amount', ARGV[3], 'currency', ARGV[4],
  'deadline', now, 'extended', '0', 'jti', jti, 'created', now, 'claimed_at', now, 'reacquired', '1')
redis.call('ZREM', KEYS[5], jti)
redis.call('ZADD', KEYS[6], now, jti)
redis.call('SADD', KEYS[7], jti)
return holdReply(KEYS[8], 'reacquired')
