--[[
  Seats of a cancelled order (a SOLD hold) go back on sale. Idempotent per hold: a second call
  answers 0. Items not sold by this hold are refused and nothing changes. When every item is
  restocked the hold ends RELEASED; otherwise it stays SOLD with the remaining items.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] hold  KEYS[6] runs
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  ARGV[1] jti
  ARGV[2] items, JSON [{s = section, i = seat id or '' (one GA place)}]
  ARGV[3] TTL seconds of the record once fully restocked

  Returns 1 restocked | 0 already restocked
  Errors: USHER:hold_not_found, USHER:wrong_state (not SOLD, or an item not sold by this hold)
]]
--- @include "moveItems"

local jti = ARGV[1]
if redis.call('EXISTS', KEYS[5]) == 0 then return redis.error_reply('USHER:hold_not_found') end
local state, restocked, itemsJson = unpack(redis.call('HMGET', KEYS[5], 'state', 'restocked', 'items'))
if restocked == '1' then return 0 end
if state ~= 'SOLD' then return redis.error_reply('USHER:wrong_state hold is ' .. state) end

local held = cjson.decode(itemsJson)
local seatIn, gaIn = {}, {}
for _, it in ipairs(held) do
  if it.i ~= '' then seatIn[it.i] = it else gaIn[it.s] = (gaIn[it.s] or 0) + it.n end
end
local back, seen, gaBack = {}, {}, {}
for _, req in ipairs(cjson.decode(ARGV[2])) do
  if req.i ~= '' then
    if not seatIn[req.i] or seen[req.i] then return redis.error_reply('USHER:wrong_state seat ' .. req.i .. ' not sold by this hold') end
    seen[req.i] = true
    back[#back + 1] = seatIn[req.i]
  else
    gaBack[req.s] = (gaBack[req.s] or 0) + 1
    if gaBack[req.s] > (gaIn[req.s] or 0) then return redis.error_reply('USHER:wrong_state more places than sold in ' .. req.s) end
  end
end
for sec, n in pairs(gaBack) do back[#back + 1] = { s = sec, i = '', n = n } end
if not itemsAre(KEYS[2], KEYS[4], back, jti, 'S') then
  return redis.error_reply('USHER:wrong_state seats of hold ' .. jti .. ' are not sold by it')
end
moveItems(KEYS[1], KEYS[2], KEYS[3], KEYS[4], back, jti, 'S', 'F', KEYS[6])

local remaining = {}
for _, it in ipairs(held) do
  if it.i ~= '' then
    if not seen[it.i] then remaining[#remaining + 1] = it end
  else
    local left = it.n - (gaBack[it.s] or 0)
    gaBack[it.s] = math.max(0, (gaBack[it.s] or 0) - it.n)
    if left > 0 then it.n = left; remaining[#remaining + 1] = it end
  end
end
if #remaining == 0 then
  redis.call('HSET', KEYS[5], 'state', 'RELEASED', 'restocked', '1')
  redis.call('EXPIRE', KEYS[5], ARGV[3])
else
  redis.call('HSET', KEYS[5], 'items', cjson.encode(remaining), 'restocked', '1')
end
return 1
