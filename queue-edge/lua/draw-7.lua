--[[
  draw-7: the draw at the end of a `random`-mode window (and the draw that empties the pool when the
  mode changes away from random). Everyone who arrived in the pool before the window's end gets a
  ticket, in the order given (a seeded permutation computed by the edge, window-draw.ts); later
  arrivals stay for the next window. Records the draw so anyone can re-derive its order.

  KEYS[1] settings  HASH live settings (shuffled; draws: number of window draws so far)
  KEYS[2] prequeue  ZSET visitor -> arrival ms (the pool)
  KEYS[3] seq       STRING ticket counter
  KEYS[4] waiting   ZSET visitor -> ticket
  KEYS[5] visitors  HASH visitor -> stored place (admission/lua/includes/visitorPlace.lua)
  KEYS[6] channel   pub/sub channel of the sale
  KEYS[7] draws     HASH draw number -> JSON {seed, count, windowEnd, firstTicket, at}

  ARGV[1]    the seed (hex)
  ARGV[2]    pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)
  ARGV[3]    window end ms: the draw takes every arrival with arrival ms < this
  ARGV[4..n] every such arrival, in drawn order

  Returns JSON {count=n, draw=d}.
  Errors (nothing written): USHER:not_yet_open (before the opening shuffle: the pre-queue is
    shuffle-7.lua's), USHER:draw_not_due (the window has not ended on Redis time),
    USHER:prequeue_changed (the window's arrivals are not exactly ARGV[4..]: a departure since the
    edge read them; retry).
  Publishes {type='shuffled', seed, count, draw}.
]]
--- @include "publishSaleEvent"
--- @include "visitorPlace"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local windowEnd = tonumber(ARGV[3])
if redis.call('HGET', KEYS[1], 'shuffled') ~= '1' then return redis.error_reply('USHER:not_yet_open') end
if now < windowEnd then return redis.error_reply('USHER:draw_not_due') end
local count = #ARGV - 3
if redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. windowEnd) ~= count then return redis.error_reply('USHER:prequeue_changed') end
for i = 4, #ARGV do
  local arrival = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if arrival == false or tonumber(arrival) >= windowEnd then return redis.error_reply('USHER:prequeue_changed') end
end

local firstTicket = tonumber(redis.call('GET', KEYS[3]) or '0') + 1
for i = 4, #ARGV do
  local ticket = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[4], ticket, ARGV[i])
  redis.call('HSET', KEYS[5], ARGV[i], encodePlace({ state = 'waiting', ticket = ticket }))
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. windowEnd)
local draw = redis.call('HINCRBY', KEYS[1], 'draws', 1)
redis.call('HSET', KEYS[7], draw, cjson.encode({ seed = ARGV[1], count = count, windowEnd = windowEnd, firstTicket = firstTicket, at = now }))
publishSaleEvent(KEYS[6], ARGV[2], { type = 'shuffled', seed = ARGV[1], count = count, draw = draw })
return cjson.encode({ count = count, draw = draw })
