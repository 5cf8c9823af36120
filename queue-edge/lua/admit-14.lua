--[[
  admit-14: one admission tick of one sale, run by every edge each EDGE_TICK_MS. Any number of edges
  may run it at once: the token bucket runs on Redis TIME, so the total rate is the setting.

  KEYS[1]  settings      HASH live settings (rate_per_min, max_active, paused, closed, message, mode, …)
  KEYS[2]  bucket        HASH token bucket (tokens, ts; seats: ARGV[1] of the last tick, read by a passthrough join)
  KEYS[3]  waiting       ZSET visitor -> ticket
  KEYS[4]  serving       STRING highest ticket admitted so far
  KEYS[5]  active        ZSET pass jti -> lease deadline ms
  KEYS[6]  offers        ZSET visitor -> offer deadline ms
  KEYS[7]  visitors      HASH visitor -> stored place (admission/lua/includes/visitorPlace.lua)
  KEYS[8]  stats         HASH admitted, offers_expired, lapsed, connected:<edge>, seen:<edge>
  KEYS[9]  channel       pub/sub channel of the sale
  KEYS[10] disconnected  ZSET visitor -> disconnect ms
  KEYS[11] presence      HASH visitor -> open sockets
  KEYS[12] prequeue      ZSET visitor -> arrival ms (the pre-queue; in `random` mode also the window's draw pool)
  KEYS[13] schedule     ZSET scheduled control JSON {id, at, control, fields} -> at ms (admission/sale-schedule.ts)
  KEYS[14] schedule log LIST applied scheduled controls, latest first (capped at 100)

  ARGV[1] seats: 'on_sale' | 'all_held' | 'sold_out' (from the inventory, read by the edge this tick)
  ARGV[2] offer TTL ms
  ARGV[3] reconnect grace ms
  ARGV[4] most offers made by this call
  ARGV[5] edge id
  ARGV[6] fans connected to this edge for this sale
  ARGV[7] most expired offers / lapsed fans cleaned by this call
  ARGV[8] bucket capacity in seconds of the rate (at least the longest gap between two ticks)
  ARGV[9] pub/sub mode: 'sharded' (Redis Cluster: SPUBLISH) or 'plain' (PUBLISH)
  ARGV[10] backend health JSON (admission/backend-health.ts: signals, default limits, step, floor,
           intervalMs) or '' when the edge has none (no backoff: the operator's rate)

  Order: scheduled controls due by now are applied first (their fields written to the settings,
  moved to the log, published as controls), so this very tick runs on them; then leases past their deadline end (revocation, frees slots); offers past their deadline lapse
  (offers_expired); fans disconnected longer than the grace with no socket anywhere lose their place;
  then the effective rate takes its backoff step (includes/healthBackoff.lua: halved while a
  backend signal is past its threshold, additive recovery up to the setting, never above it);
  then the bucket refills at that rate (only while the sale is open: a pause does not bank a burst) and up to
  min(tokens, max_active - active - offers, ARGV[4]) fans are popped first-in first-out into offers.
  Queueing mode (settings `mode`, absent = 'fifo'): 'reject' is state 'rejecting' (no admission,
  newcomers refused by join); the others admit alike here ('random' fills `waiting` by draws,
  'passthrough' lets join make offers itself while nobody waits).

  Returns JSON: the sale's counters and settings (`tickSchema` in queue-store.ts).
  Errors (nothing written): USHER:unknown_sale (no settings hash).
  Publishes {type='offers', offers=[{visitor, ticket, deadline}]} when it made offers, and
  {type='control', control, scheduled=id} for each scheduled control it applied.
]]
--- @include "publishSaleEvent"
--- @include "visitorPlace"
--- @include "tokenBucket"
--- @include "healthBackoff"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local seats, offerTtl, grace = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local maxBatch, edge, connected, cleanLimit = tonumber(ARGV[4]), ARGV[5], ARGV[6], tonumber(ARGV[7])
local burstS = tonumber(ARGV[8])

-- Scheduled controls first. Only when the sale is known: an unknown sale is refused below, unwritten.
local applied = 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  for _, raw in ipairs(redis.call('ZRANGEBYSCORE', KEYS[13], '-inf', now, 'LIMIT', 0, 20)) do
    local entry = cjson.decode(raw)
    for field, value in pairs(entry.fields) do redis.call('HSET', KEYS[1], field, value) end
    redis.call('ZREM', KEYS[13], raw)
    entry.appliedAt = now
    redis.call('LPUSH', KEYS[14], cjson.encode(entry))
    publishSaleEvent(KEYS[9], ARGV[9], { type = 'control', control = entry.control, scheduled = entry.id })
    applied = applied + 1
  end
  if applied > 0 then redis.call('LTRIM', KEYS[14], 0, 99) end
end

local s = redis.call('HMGET', KEYS[1], 'rate_per_min', 'max_active', 'paused', 'closed', 'message', 'message_at',
  'opens_at_ms', 'shuffled', 'prequeue_seed', 'pow_difficulty', 'closes_at_ms', 'mode', 'draw_window_ms')
if s[1] == false then return redis.error_reply('USHER:unknown_sale') end
local rate, maxActive = tonumber(s[1]) or 0, tonumber(s[2]) or 0
local opensAt, closesAt = tonumber(s[7]) or 0, tonumber(s[11]) or 0
local mode = s[12] or 'fifo'
-- a random-mode window lasts 10 s unless the organiser set one (set_mode drawWindowS)
local drawWindow = tonumber(s[13]) or 10000

-- Housekeeping: each step is idempotent and leaves the queue consistent on its own.
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
local expired = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now, 'LIMIT', 0, cleanLimit)
for _, v in ipairs(expired) do
  redis.call('ZREM', KEYS[6], v)
  redis.call('HDEL', KEYS[7], v)
  redis.call('ZREM', KEYS[10], v)
end
if #expired > 0 then redis.call('HINCRBY', KEYS[8], 'offers_expired', #expired) end
local gone = redis.call('ZRANGEBYSCORE', KEYS[10], '-inf', now - grace, 'LIMIT', 0, cleanLimit)
local lapsed = 0
for _, v in ipairs(gone) do
  redis.call('ZREM', KEYS[10], v)
  if redis.call('HEXISTS', KEYS[11], v) == 0 then
    local place = decodePlace(redis.call('HGET', KEYS[7], v))
    if place and place.state ~= 'admitted' then
      redis.call('ZREM', KEYS[3], v)
      redis.call('ZREM', KEYS[12], v)
      redis.call('ZREM', KEYS[6], v)
      redis.call('HDEL', KEYS[7], v)
      lapsed = lapsed + 1
    end
  end
end
if lapsed > 0 then redis.call('HINCRBY', KEYS[8], 'lapsed', lapsed) end

local state = 'open'
if s[4] == '1' or (closesAt > 0 and now >= closesAt) then state = 'closed'
elseif mode == 'reject' then state = 'rejecting'
elseif now < opensAt or s[8] ~= '1' then state = 'prequeue'
elseif s[3] == '1' then state = 'paused'
elseif seats == 'sold_out' then state = 'sold_out'
elseif seats == 'all_held' then state = 'all_held' end

local health = nil
if ARGV[10] ~= nil and ARGV[10] ~= '' then health = cjson.decode(ARGV[10]) end
local backoffSettings = redis.call('HMGET', KEYS[1], 'backoff', 'backoff_hold_p99_ms', 'backoff_commit_queue', 'backoff_error_rate_pct')
local effRate, breach = effectiveRate(KEYS[2], now, rate, backoffSettings, health)

local tokens = refillBucket(KEYS[2], now, rate, burstS, state == 'open')

local activeCount = redis.call('ZCARD', KEYS[5])
local offerCount = redis.call('ZCARD', KEYS[6])
local n = math.min(math.floor(tokens), maxActive - activeCount - offerCount, maxBatch)
local made = {}
if state == 'open' and n > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[3], n)
  for i = 1, #popped, 2 do
    local v, ticket = popped[i], tonumber(popped[i + 1])
    local deadline = now + offerTtl
    redis.call('ZADD', KEYS[6], deadline, v)
    redis.call('HSET', KEYS[7], v, encodePlace({ state = 'offer', ticket = ticket, deadline = deadline }))
    made[#made + 1] = { visitor = v, ticket = ticket, deadline = deadline }
  end
  if #made > 0 then
    tokens = tokens - #made
    redis.call('SET', KEYS[4], made[#made].ticket)
    redis.call('HINCRBY', KEYS[8], 'admitted', #made)
  end
end
storeBucket(KEYS[2], tokens, now)
redis.call('HSET', KEYS[2], 'seats', seats)
redis.call('HSET', KEYS[8], 'connected:' .. edge, connected, 'seen:' .. edge, now)
if #made > 0 then
  publishSaleEvent(KEYS[9], ARGV[9], { type = 'offers', offers = made })
end

local totals = redis.call('HMGET', KEYS[8], 'admitted', 'offers_expired')
local oldest = redis.call('ZRANGE', KEYS[12], 0, 0, 'WITHSCORES')
return cjson.encode({
  now = now, state = state, serving = tonumber(redis.call('GET', KEYS[4])) or 0,
  waiting = redis.call('ZCARD', KEYS[3]), prequeue = redis.call('ZCARD', KEYS[12]),
  active = activeCount, offers = offerCount + #made, made = #made,
  admitted = tonumber(totals[1]) or 0, offersExpired = tonumber(totals[2]) or 0,
  ratePerMin = rate, effectiveRatePerMin = effRate, breach = breach, maxActive = maxActive, message = s[5] or '', messageAt = tonumber(s[6]) or 0,
  opensAt = opensAt, seed = s[9] or '', powDifficulty = tonumber(s[10]) or 0,
  scheduled = applied, shuffled = s[8] == '1', mode = mode, drawWindowMs = drawWindow, poolOldest = tonumber(oldest[2]) or 0,
})
