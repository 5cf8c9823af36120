--[[
  take-5: the fan takes an admission offer; the offer becomes a lease (the pass's jti in `active`).
  The pass is signed before the call; if this script refuses, the pass is thrown away unseen.

  KEYS[1] visitors  HASH visitor -> stored place (admission/lua/includes/visitorPlace.lua)
  KEYS[2] offers    ZSET visitor -> offer deadline ms
  KEYS[3] active    ZSET pass jti -> lease deadline ms
  KEYS[4] stats     HASH running totals (passes)
  KEYS[5] channel   pub/sub channel of the sale

  ARGV[1] visitor id
  ARGV[2] jti of the signed pass
  ARGV[3] lease deadline ms (the pass's exp)
  ARGV[4] the signed pass (JWT)
  ARGV[5] pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)

  Returns JSON {state='admitted', pass, exp, jti} (also when the offer was already taken: the
  existing pass, so two tabs taking at once get one lease).
  Errors (nothing written): USHER:no_offer (no place, or a place without an offer),
    USHER:offer_expired (the offer's deadline has passed).
  Publishes {type='admitted', visitor, pass, exp} so every edge holding one of the fan's tabs forwards it.
]]
--- @include "publishSaleEvent"
--- @include "visitorPlace"
local visitor = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local place = decodePlace(redis.call('HGET', KEYS[1], visitor))
if not place then return redis.error_reply('USHER:no_offer') end
if place.state == 'admitted' then return cjson.encode({ state = 'admitted', pass = place.pass, exp = place.exp, jti = place.jti }) end
if place.state ~= 'offer' then return redis.error_reply('USHER:no_offer') end
local deadline = redis.call('ZSCORE', KEYS[2], visitor)
if deadline == false or tonumber(deadline) <= now then return redis.error_reply('USHER:offer_expired') end

local exp = tonumber(ARGV[3])
redis.call('ZREM', KEYS[2], visitor)
redis.call('ZADD', KEYS[3], exp, ARGV[2])
redis.call('HSET', KEYS[1], visitor, encodePlace({ state = 'admitted', jti = ARGV[2], exp = exp, pass = ARGV[4] }))
redis.call('HINCRBY', KEYS[4], 'passes', 1)
publishSaleEvent(KEYS[5], ARGV[5], { type = 'admitted', visitor = visitor, pass = ARGV[4], exp = exp })
return cjson.encode({ state = 'admitted', pass = ARGV[4], exp = exp, jti = ARGV[2] })
