--[[
  join-8: a fan joins a sale's queue, or comes back to the place they already have.

  KEYS[1] settings      HASH   the sale's live settings (rate_per_min present = the sale is known)
  KEYS[2] seq           STRING ticket counter
  KEYS[3] waiting       ZSET   visitor -> ticket
  KEYS[4] prequeue      ZSET   visitor -> arrival ms (before the opening shuffle)
  KEYS[5] visitors      HASH   visitor -> stored place (includes/visitorPlace.lua)
  KEYS[6] presence      HASH   visitor -> open sockets across edges
  KEYS[7] disconnected  ZSET   visitor -> disconnect ms
  KEYS[8] active        ZSET   pass jti -> lease deadline ms

  ARGV[1] visitor id
  ARGV[2] '1' when a socket opened (counted in presence), '0' for an HTTP join (marked disconnected
          now unless a socket is open: the HTTP client keeps its place by polling within the grace)

  Returns a JSON object:
    {state='prequeue'}                           waiting in the pre-queue (ticket given at the shuffle)
    {state='waiting', ticket=n, rank=r}          waiting; rank = visitors ahead
    {state='offer', ticket=n, deadline=ms}       holds an offer not yet taken
    {state='admitted', pass=jwt, exp=ms, jti=id} admitted, lease still active
    {state='done'}                               had a turn already (lease over): one place per visitor
  Errors (nothing written): USHER:unknown_sale, USHER:sale_closed (a newcomer to a closed sale),
    USHER:queue_not_open (a newcomer before the pre-queue opens).
  Publishes nothing. One visitor holds one place: a second tab or a reconnect returns the same state.
]]
--- @include "visitorPlace"
local visitor = ARGV[1]
local counted = ARGV[2] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local s = redis.call('HMGET', KEYS[1], 'rate_per_min', 'closed', 'opens_at_ms', 'prequeue_opens_at_ms', 'shuffled')
if s[1] == false then return redis.error_reply('USHER:unknown_sale') end

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
if now < (tonumber(s[4]) or 0) then return redis.error_reply('USHER:queue_not_open') end

-- Before opening, and until some edge has run the opening shuffle, arrivals wait unordered.
if now < (tonumber(s[3]) or 0) or s[5] ~= '1' then
  redis.call('ZADD', KEYS[4], 'NX', now, visitor)
  redis.call('HSET', KEYS[5], visitor, encodePlace({ state = 'prequeue' }))
  present()
  return cjson.encode({ state = 'prequeue' })
end

local ticket = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], ticket, visitor)
redis.call('HSET', KEYS[5], visitor, encodePlace({ state = 'waiting', ticket = ticket }))
present()
return cjson.encode({ state = 'waiting', ticket = ticket, rank = redis.call('ZCARD', KEYS[3]) - 1 })
