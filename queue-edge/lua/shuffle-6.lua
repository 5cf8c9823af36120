--[[
  shuffle-6: the opening shuffle. Moves every pre-queue arrival into the queue in the order given
  (a seeded permutation computed by the edge, see prequeue-shuffle.ts), and records the seed so
  anyone can re-derive the order. Refuses if the pre-queue changed since the edge read it.

  KEYS[1] settings  HASH live settings (shuffled, prequeue_seed, prequeue_count, opens_at_ms)
  KEYS[2] prequeue  ZSET visitor -> arrival ms
  KEYS[3] seq       STRING ticket counter
  KEYS[4] waiting   ZSET visitor -> ticket
  KEYS[5] visitors  HASH visitor -> stored place (includes/visitorPlace.lua)
  KEYS[6] channel   pub/sub channel of the sale

  ARGV[1]    the seed (hex)
  ARGV[2]    pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)
  ARGV[3..n] every pre-queue visitor, in shuffled order

  Returns JSON {count=n}.
  Errors (nothing written): USHER:already_shuffled, USHER:not_yet_open (before opens_at_ms),
    USHER:prequeue_changed (an arrival or a departure since the edge read the pre-queue: retry).
  Publishes {type='shuffled', seed, count}.
]]
--- @include "publishSaleEvent"
--- @include "visitorPlace"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'shuffled', 'opens_at_ms')
if s[1] == '1' then return redis.error_reply('USHER:already_shuffled') end
if now < (tonumber(s[2]) or 0) then return redis.error_reply('USHER:not_yet_open') end
local count = #ARGV - 2
if redis.call('ZCARD', KEYS[2]) ~= count then return redis.error_reply('USHER:prequeue_changed') end
for i = 3, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) == false then return redis.error_reply('USHER:prequeue_changed') end
end

for i = 3, #ARGV do
  local ticket = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[4], ticket, ARGV[i])
  redis.call('HSET', KEYS[5], ARGV[i], encodePlace({ state = 'waiting', ticket = ticket }))
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'shuffled', '1', 'prequeue_seed', ARGV[1], 'prequeue_count', count, 'shuffled_at_ms', now)
publishSaleEvent(KEYS[6], ARGV[2], { type = 'shuffled', seed = ARGV[1], count = count })
return cjson.encode({ count = count })
