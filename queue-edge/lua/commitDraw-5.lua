--[[
  commitDraw-5: the pre-queue closes. Freezes the list of everyone who arrived before opens_at (the
  visitors and their hashed ids, sorted by hashed id, computed by the edge: opening-draw.ts) and
  records its commitment and the beacon round that will seed the draw, before anyone can know that
  round's value. Arrivals from opens_at on are not in it (they are drawn after, window-draw.ts).

  KEYS[1] settings      HASH live settings (opens_at_ms; writes draw_commitment, draw_count,
                             draw_committed_at, draw_beacon)
  KEYS[2] prequeue      ZSET visitor -> arrival ms
  KEYS[3] draw members  LIST the frozen visitors, in the order of their sorted hashed ids
  KEYS[4] draw hashed   LIST their hashed ids, sorted (published after the reveal)
  KEYS[5] channel       pub/sub channel of the sale

  ARGV[1] the commitment (hex SHA-256, README: A draw anyone can verify)
  ARGV[2] the beacon plan (JSON, draw-beacon.ts)
  ARGV[3] pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)
  ARGV[4] n, the number of members
  ARGV[5 .. 4+n]      the members (visitor ids), in the order of their sorted hashed ids
  ARGV[5+n .. 4+2n]   their hashed ids, sorted

  Returns JSON {count=n}.
  Errors (nothing written): USHER:already_committed, USHER:not_yet_open (before opens_at_ms),
    USHER:prequeue_changed (the arrivals before opens_at are not exactly these: retry).
  Publishes {type='committed', count, commitment}.
]]
--- @include "publishSaleEvent"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'draw_commitment', 'opens_at_ms')
if s[1] then return redis.error_reply('USHER:already_committed') end
local closesAt = tonumber(s[2]) or 0
if now < closesAt then return redis.error_reply('USHER:not_yet_open') end
local n = tonumber(ARGV[4])
if #ARGV ~= 4 + 2 * n then return redis.error_reply('USHER:prequeue_changed') end
if redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. closesAt) ~= n then return redis.error_reply('USHER:prequeue_changed') end
for i = 5, 4 + n do
  local arrival = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if arrival == false or tonumber(arrival) >= closesAt then return redis.error_reply('USHER:prequeue_changed') end
end

redis.call('DEL', KEYS[3], KEYS[4])
for from = 5, 4 + n, 1000 do
  redis.call('RPUSH', KEYS[3], unpack(ARGV, from, math.min(from + 999, 4 + n)))
  redis.call('RPUSH', KEYS[4], unpack(ARGV, from + n, math.min(from + 999, 4 + n) + n))
end
redis.call('HSET', KEYS[1], 'draw_commitment', ARGV[1], 'draw_count', n, 'draw_committed_at', now, 'draw_beacon', ARGV[2])
publishSaleEvent(KEYS[5], ARGV[3], { type = 'committed', count = n, commitment = ARGV[1] })
return cjson.encode({ count = n })
