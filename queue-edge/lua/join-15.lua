--[[
  join-15: a fan joins a sale's queue, or comes back to the place they already have.

  KEYS[1]  settings      HASH   the sale's live settings (rate_per_min present = the sale is known; mode)
  KEYS[2]  seq           STRING ticket counter
  KEYS[3]  waiting       ZSET   visitor -> ticket
  KEYS[4]  prequeue      ZSET   visitor -> arrival ms (the pre-queue; in `random` mode the window's draw pool)
  KEYS[5]  visitors      HASH   visitor -> stored place (admission/lua/includes/visitorPlace.lua)
  KEYS[6]  presence      HASH   visitor -> open sockets across edges
  KEYS[7]  disconnected  ZSET   visitor -> disconnect ms
  KEYS[8]  active        ZSET   pass jti -> lease deadline ms
  KEYS[9]  bucket        HASH   token bucket (includes/tokenBucket.lua; `seats` of the last tick)
  KEYS[10] offers        ZSET   visitor -> offer deadline ms
  KEYS[11] serving       STRING highest ticket admitted so far
  KEYS[12] stats         HASH   running totals (admitted)
  KEYS[13] access codes  HASH   salted code digest -> '' (unused) or the visitor who used it
  KEYS[14] used tokens   ZSET   enqueue token jti -> exp ms
  KEYS[15] banned        HASH   visitor -> ban record (admission/lua/fanAction-11.lua writes it)

  ARGV[1] visitor id
  ARGV[2] '1' when a socket opened (counted in presence), '0' for an HTTP join (marked disconnected
          now unless a socket is open: the HTTP client keeps its place by polling within the grace)
  ARGV[3] offer TTL ms (a passthrough offer)
  ARGV[4] bucket capacity in seconds of the rate (as the tick's ARGV[8])
  ARGV[5] presale credential the fan brought: '' none, 'code', 'token', or 'refused' (a token the
          edge could not verify: its signature, audience or expiry; admission/sale-access.ts)
  ARGV[6] the code's digest | the token's jti | the refusal: enqueue_token_invalid / enqueue_token_expired
  ARGV[7] the token's exp ms

  Presale (settings `presale_until_ms` > now): a newcomer needs an unused code or an unused valid
  token; the join that places them marks it used (code -> the visitor; jti -> exp), so of any number
  of joins with one credential exactly one gets a place. A known visitor keeps their place whatever
  they bring. After the presale the credential is ignored (not spent).

  A newcomer's place by the sale's queueing mode (settings `mode`, absent = 'fifo'), once open:
    fifo         the next ticket
    random       the draw pool: drawn with everyone else of the window at its end (draw-7.lua)
    passthrough  an offer at once while nobody waits or is being drawn, a shopper slot is free, seats
                 remain and the shared bucket has a token; else the next ticket (the queue forms by
                 itself when arrivals outrun the rate or max shoppers, and drains back to passthrough)
    reject       refused (USHER:room_closed)
  Before opening (and until the opening shuffle) every mode but reject puts newcomers in the pre-queue.

  Returns a JSON object:
    {state='prequeue'}                           in the pre-queue or a draw pool (ticket given at the draw)
    {state='waiting', ticket=n, rank=r}          waiting; rank = visitors ahead
    {state='offer', ticket=n, deadline=ms}       holds an offer not yet taken
    {state='admitted', pass=jwt, exp=ms, jti=id} admitted, lease still active
    {state='done'}                               had a turn already (lease over): one place per visitor
  A banned visitor is refused before anything else is read or written, known or not: the ban and
  the removal of their place are one script (admission/lua/fanAction-11.lua), so no join gives them a place after it.
  Errors (nothing written): USHER:unknown_sale, USHER:visitor_banned, USHER:sale_closed (a newcomer to a closed sale),
    USHER:room_closed (a newcomer while the mode is reject), USHER:queue_not_open (a newcomer before
    the pre-queue opens); during a presale: USHER:presale_access_required (no credential),
    USHER:access_code_unknown, USHER:access_code_used, USHER:enqueue_token_used,
    USHER:enqueue_token_invalid, USHER:enqueue_token_expired.
  Publishes nothing (a passthrough offer is answered here, to the one socket of a newcomer).
  One visitor holds one place: a second tab or a reconnect returns the same state.
]]
--- @include "visitorPlace"
--- @include "tokenBucket"
local visitor = ARGV[1]
local counted = ARGV[2] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local s = redis.call('HMGET', KEYS[1], 'rate_per_min', 'closed', 'opens_at_ms', 'prequeue_opens_at_ms', 'shuffled', 'mode',
  'max_active', 'paused', 'closes_at_ms', 'presale_until_ms')
if s[1] == false then return redis.error_reply('USHER:unknown_sale') end
if redis.call('HEXISTS', KEYS[15], visitor) == 1 then return redis.error_reply('USHER:visitor_banned') end
local mode = s[6] or 'fifo'

-- A socket keeps the place while it is open; an HTTP client keeps it by polling (each poll
-- refreshes its disconnect time), so it lapses after the grace when it stops.
local function present()
  if counted then
    redis.call('HINCRBY', KEYS[6], visitor, 1)
    redis.call('ZREM', KEYS[7], visitor)
  elseif redis.call('HEXISTS', KEYS[6], visitor) == 0 then
    redis.call('ZADD', KEYS[7], now, visitor)
  end
end

local place = decodePlace(redis.call('HGET', KEYS[5], visitor))
if place then
  if place.state == 'admitted' then
    local deadline = redis.call('ZSCORE', KEYS[8], place.jti)
    if deadline == false or tonumber(deadline) <= now then return cjson.encode({ state = 'done' }) end
    present()
    return cjson.encode({ state = 'admitted', pass = place.pass, exp = place.exp, jti = place.jti })
  end
  local out = { state = place.state, ticket = place.ticket, deadline = place.deadline }
  if place.state == 'waiting' then out.rank = redis.call('ZRANK', KEYS[3], visitor) end
  present()
  return cjson.encode(out)
end

-- Every refusal comes before the first write.
if s[2] == '1' then return redis.error_reply('USHER:sale_closed') end
if mode == 'reject' then return redis.error_reply('USHER:room_closed') end
if now < (tonumber(s[4]) or 0) then return redis.error_reply('USHER:queue_not_open') end

local credential, credentialId = ARGV[5], ARGV[6]
local spend = nil
if now < (tonumber(s[10]) or 0) then
  if credential == 'refused' then
    if credentialId == 'enqueue_token_expired' then return redis.error_reply('USHER:enqueue_token_expired') end
    return redis.error_reply('USHER:enqueue_token_invalid')
  elseif credential == 'code' then
    local holder = redis.call('HGET', KEYS[13], credentialId)
    if holder == false then return redis.error_reply('USHER:access_code_unknown') end
    if holder ~= '' then return redis.error_reply('USHER:access_code_used') end
    spend = function() redis.call('HSET', KEYS[13], credentialId, visitor) end
  elseif credential == 'token' then
    if redis.call('ZSCORE', KEYS[14], credentialId) ~= false then return redis.error_reply('USHER:enqueue_token_used') end
    spend = function()
      -- the edge refuses expired tokens, so jtis long past their exp can go (5 min for clock skew)
      redis.call('ZREMRANGEBYSCORE', KEYS[14], '-inf', now - 300000)
      redis.call('ZADD', KEYS[14], tonumber(ARGV[7]), credentialId)
    end
  else
    return redis.error_reply('USHER:presale_access_required')
  end
end
if spend then spend() end

local function pool()
  redis.call('ZADD', KEYS[4], 'NX', now, visitor)
  redis.call('HSET', KEYS[5], visitor, encodePlace({ state = 'prequeue' }))
  present()
  return cjson.encode({ state = 'prequeue' })
end

-- Before opening, and until some edge has run the opening shuffle, arrivals wait unordered.
if now < (tonumber(s[3]) or 0) or s[5] ~= '1' then return pool() end
if mode == 'random' then return pool() end

-- Passthrough: straight to an offer while the shop is under its limits and nobody is ahead.
local closesAt = tonumber(s[9]) or 0
if mode == 'passthrough' and s[8] ~= '1' and (closesAt == 0 or now < closesAt)
    and redis.call('ZCARD', KEYS[3]) == 0 and redis.call('ZCARD', KEYS[4]) == 0 then
  local seats = redis.call('HGET', KEYS[9], 'seats')
  local rate, maxActive = tonumber(s[1]) or 0, tonumber(s[7]) or 0
  local shoppers = redis.call('ZCOUNT', KEYS[8], '(' .. now, '+inf') + redis.call('ZCOUNT', KEYS[10], '(' .. now, '+inf')
  if (seats == false or seats == 'on_sale') and shoppers < maxActive then
    local tokens = refillBucket(KEYS[9], now, rate, tonumber(ARGV[4]), true)
    if tokens >= 1 then
      local ticket = redis.call('INCR', KEYS[2])
      local deadline = now + tonumber(ARGV[3])
      storeBucket(KEYS[9], tokens - 1, now)
      redis.call('ZADD', KEYS[10], deadline, visitor)
      redis.call('HSET', KEYS[5], visitor, encodePlace({ state = 'offer', ticket = ticket, deadline = deadline }))
      redis.call('SET', KEYS[11], ticket)
      redis.call('HINCRBY', KEYS[12], 'admitted', 1)
      present()
      return cjson.encode({ state = 'offer', ticket = ticket, deadline = deadline })
    end
  end
end

local ticket = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], ticket, visitor)
redis.call('HSET', KEYS[5], visitor, encodePlace({ state = 'waiting', ticket = ticket }))
present()
return cjson.encode({ state = 'waiting', ticket = ticket, rank = redis.call('ZCARD', KEYS[3]) - 1 })
