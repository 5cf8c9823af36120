--[[
  fanAction-11: an operator acts on one fan of a sale (admission/fan-actions.ts): revoke their pass,
  remove them from the queue, ban them, or lift a ban. Atomic with every queue script (one slot), so
  a join, an admission tick or a take runs either wholly before the action or wholly after it.

  KEYS[1]  banned        HASH   visitor -> ban record JSON (queue-edge/lua/join-15.lua refuses these visitors)
  KEYS[2]  waiting       ZSET   visitor -> ticket
  KEYS[3]  prequeue      ZSET   visitor -> arrival ms (the pre-queue and `random` draw pool)
  KEYS[4]  offers        ZSET   visitor -> offer deadline ms
  KEYS[5]  active        ZSET   pass jti -> lease deadline ms
  KEYS[6]  visitors      HASH   visitor -> stored place (admission/lua/includes/visitorPlace.lua)
  KEYS[7]  presence      HASH   visitor -> open sockets across edges
  KEYS[8]  disconnected  ZSET   visitor -> disconnect ms
  KEYS[9]  revoked       HASH   pass jti -> revocation record JSON (the API's pass gate reads it)
  KEYS[10] stats         HASH   running totals (fans_revoked, fans_removed, fans_banned)
  KEYS[11] channel       pub/sub channel of the sale

  ARGV[1] visitor id
  ARGV[2] action: 'revoke' | 'remove' | 'ban' | 'unban'
  ARGV[3] the record kept with a ban or a revocation (JSON: who, why, when; opaque here)
  ARGV[4] pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)

  revoke  the fan's active lease ends now (a shopper slot frees) and its jti is recorded as revoked;
          the stored place stays, so a join answers `done`. Errors: USHER:no_pass (the fan holds no
          pass), USHER:pass_not_active (its lease already ended).
  remove  the fan's place goes (waiting, pre-queue or draw pool, offer; an active pass is revoked
          as above) with their presence: they may join again, at the back. Error: USHER:not_in_queue.
  ban     as remove, and the visitor is barred: every later join is refused (USHER:visitor_banned).
          Never refuses (banning a visitor with no place yet bars their first join).
  unban   the bar is lifted (the removed place is not restored). Never refuses.
  Refusals write nothing.

  Returns JSON {action, before = the place's state before ('none' if none), jti = the revoked pass
  or '', changed = 0|1 (unban: whether a ban was lifted)}.
  Publishes {type='fan', action, visitor} for revoke, remove and ban: every edge closes the fan's
  sockets with an end-state message (queue-edge/edge-events.ts).
]]
--- @include "publishSaleEvent"
--- @include "visitorPlace"
local visitor, action, record, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]

if action == 'unban' then
  return cjson.encode({ action = action, before = 'none', jti = '', changed = redis.call('HDEL', KEYS[1], visitor) })
end

local place = decodePlace(redis.call('HGET', KEYS[6], visitor))
local before = place and place.state or 'none'
local live = place and place.state == 'admitted' and redis.call('ZSCORE', KEYS[5], place.jti) ~= false

if action == 'revoke' then
  if not place or place.state ~= 'admitted' then return redis.error_reply('USHER:no_pass') end
  if not live then return redis.error_reply('USHER:pass_not_active') end
elseif action == 'remove' then
  if not place then return redis.error_reply('USHER:not_in_queue') end
elseif action ~= 'ban' then
  return redis.error_reply('USHER:unknown_action')
end

local jti = ''
if live then
  jti = place.jti
  redis.call('ZREM', KEYS[5], jti)
  redis.call('HSET', KEYS[9], jti, record)
end
if action ~= 'revoke' then
  redis.call('ZREM', KEYS[2], visitor)
  redis.call('ZREM', KEYS[3], visitor)
  redis.call('ZREM', KEYS[4], visitor)
  redis.call('HDEL', KEYS[6], visitor)
  redis.call('HDEL', KEYS[7], visitor)
  redis.call('ZREM', KEYS[8], visitor)
end
if action == 'ban' then redis.call('HSET', KEYS[1], visitor, record) end
local totals = { revoke = 'fans_revoked', remove = 'fans_removed', ban = 'fans_banned' }
redis.call('HINCRBY', KEYS[10], totals[action], 1)
publishSaleEvent(KEYS[11], mode, { type = 'fan', action = action, visitor = visitor })
return cjson.encode({ action = action, before = before, jti = jti, changed = 1 })
