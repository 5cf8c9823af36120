--[[
  take-5: the fan takes an admission offer; the offer becomes a lease (the pass's jti in `active`).
  The pass is signed before the call; if this script refuses, the pass is thrown away unseen.

  KEYS[1] visitors  HASH visitor -> JSON state
  KEYS[2] offers    ZSET visitor -> offer deadline ms
  KEYS[3] active    ZSET pass jti -> lease deadline ms
  KEYS[4] stats     HASH running totals (passes)
  KEYS[5] channel   pub/sub channel of the sale

  ARGV[1] visitor id
  ARGV[2] jti of the signed pass
  ARGV[3] lease deadline ms (the pass's exp)
  ARGV[4] the signed pass (JWT)
  ARGV[5] pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)

  Returns JSON {state='a', pass, exp, jti} (also when the offer was already taken: the existing pass,
  so two tabs taking at once get one lease), or {err='NO_OFFER'|'OFFER_EXPIRED'}.
  Publishes {type='admitted', visitor, pass, exp} so every edge holding one of the fan's tabs forwards it.
]]
--- @include "publishSaleEvent"
local visitor = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local existing = redis.call('HGET', KEYS[1], visitor)
if not existing then return cjson.encode({ err = 'NO_OFFER' }) end
local st = cjson.decode(existing)
if st.s == 'a' then return cjson.encode({ state = 'a', pass = st.p, exp = st.e, jti = st.j }) end
if st.s ~= 'o' then return cjson.encode({ err = 'NO_OFFER' }) end
local deadline = redis.call('ZSCORE', KEYS[2], visitor)
if deadline == false or tonumber(deadline) <= now then return cjson.encode({ err = 'OFFER_EXPIRED' }) end

local exp = tonumber(ARGV[3])
redis.call('ZREM', KEYS[2], visitor)
redis.call('ZADD', KEYS[3], exp, ARGV[2])
redis.call('HSET', KEYS[1], visitor, cjson.encode({ s = 'a', j = ARGV[2], e = exp, p = ARGV[4] }))
redis.call('HINCRBY', KEYS[4], 'passes', 1)
publishSaleEvent(KEYS[5], ARGV[5], { type = 'admitted', visitor = visitor, pass = ARGV[4], exp = exp })
return cjson.encode({ state = 'a', pass = ARGV[4], exp = exp, jti = ARGV[2] })
