--[[
  shuffle-7: the opening draw's reveal. Gives every member of the committed list (commitDraw-5.lua)
  the ticket of their position in the drawn order (position p, 0-based: first ticket + p), records
  the seed and the beacon value it came from, and opens the queue. A member who lapsed between the
  commit and the reveal keeps no place, but their ticket number is still theirs (unused), so every
  ticket equals first ticket + position and anyone can check it.

  KEYS[1] settings      HASH live settings (draw_commitment; writes shuffled, prequeue_seed,
                             prequeue_count, shuffled_at_ms, draw_first_ticket, draw_reveal)
  KEYS[2] prequeue      ZSET visitor -> arrival ms
  KEYS[3] seq           STRING ticket counter
  KEYS[4] waiting       ZSET visitor -> ticket
  KEYS[5] visitors      HASH visitor -> stored place (admission/lua/includes/visitorPlace.lua)
  KEYS[6] channel       pub/sub channel of the sale
  KEYS[7] draw members  LIST the committed members

  ARGV[1]    the seed (hex)
  ARGV[2]    the beacon value the seed came from (JSON, draw-beacon.ts)
  ARGV[3]    pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)
  ARGV[4..n] every committed member, in drawn order

  Returns JSON {count=n, firstTicket=f}.
  Errors (nothing written): USHER:already_shuffled, USHER:not_committed (no commitment yet),
    USHER:draw_mismatch (ARGV[4..] is not exactly the committed members).
  Publishes {type='shuffled', seed, count}.
]]
--- @include "publishSaleEvent"
--- @include "visitorPlace"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'shuffled', 'draw_commitment')
if s[1] == '1' then return redis.error_reply('USHER:already_shuffled') end
if not s[2] then return redis.error_reply('USHER:not_committed') end
local count = #ARGV - 3
if redis.call('LLEN', KEYS[7]) ~= count then return redis.error_reply('USHER:draw_mismatch') end
local committed = {}
for _, v in ipairs(redis.call('LRANGE', KEYS[7], 0, -1)) do committed[v] = true end
for i = 4, #ARGV do
  if not committed[ARGV[i]] then return redis.error_reply('USHER:draw_mismatch') end
  committed[ARGV[i]] = nil -- twice is a mismatch too
end

local first = (tonumber(redis.call('GET', KEYS[3])) or 0) + 1
for i = 4, #ARGV do
  local v = ARGV[i]
  local place = decodePlace(redis.call('HGET', KEYS[5], v))
  if place and place.state == 'prequeue' then
    local ticket = first + i - 4
    redis.call('ZADD', KEYS[4], ticket, v)
    redis.call('HSET', KEYS[5], v, encodePlace({ state = 'waiting', ticket = ticket }))
  end
  redis.call('ZREM', KEYS[2], v)
end
if count > 0 then redis.call('SET', KEYS[3], first + count - 1) end
redis.call('HSET', KEYS[1], 'shuffled', '1', 'prequeue_seed', ARGV[1], 'prequeue_count', count, 'shuffled_at_ms', now,
  'draw_first_ticket', first, 'draw_reveal', ARGV[2])
publishSaleEvent(KEYS[6], ARGV[3], { type = 'shuffled', seed = ARGV[1], count = count })
return cjson.encode({ count = count, firstTicket = first })
