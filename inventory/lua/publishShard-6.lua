--[[
  Writes one shard's pools in one step. Idempotent: a published shard is left untouched, so a
  second publish never adds seats. A rebuild first deletes the shard's keys, then publishes the
  Postgres truth (sold seats in state S:<jti>).

  KEYS[1] meta  KEYS[2] seats  KEYS[3] state  KEYS[4] free  KEYS[5] counts  KEYS[6] runs (includes/runIndex.lua)
  ARGV[1] JSON {meta = [field, value, …], seats = [[id, info, state, score], …], counts = [field, value, …]}
    score is only used for free seats (state 'F'). counts includes `ver`, the shard's seat-state
    version's starting value (publish time in ms, so a rebuilt shard never repeats an old version).

  Returns 1 published | 0 already published
]]
--- @include "runIndex"

if redis.call('HGET', KEYS[1], 'published') == '1' then return 0 end
local spec = cjson.decode(ARGV[1])
-- bounded argument lists: unpack() of thousands of values would overflow Lua's stack
local function hsetChunks(key, flat)
  for j = 1, #flat, 400 do
    redis.call('HSET', key, unpack(flat, j, math.min(j + 399, #flat)))
  end
end
local seatFlat, stateFlat, freeFlat, rows = {}, {}, {}, {}
for _, s in ipairs(spec.seats) do
  seatFlat[#seatFlat + 1] = s[1]; seatFlat[#seatFlat + 1] = s[2]
  stateFlat[#stateFlat + 1] = s[1]; stateFlat[#stateFlat + 1] = s[3]
  if s[3] == 'F' then
    freeFlat[#freeFlat + 1] = s[4]; freeFlat[#freeFlat + 1] = s[1]
    rows[s[4] - s[4] % ROW_SPAN] = true
  end
end
if #seatFlat > 0 then hsetChunks(KEYS[2], seatFlat) end
if #stateFlat > 0 then hsetChunks(KEYS[3], stateFlat) end
for j = 1, #freeFlat, 400 do redis.call('ZADD', KEYS[4], unpack(freeFlat, j, math.min(j + 399, #freeFlat))) end
indexRows(KEYS[4], KEYS[6], rows)
if #spec.counts > 0 then hsetChunks(KEYS[5], spec.counts) end
hsetChunks(KEYS[1], spec.meta)
redis.call('HSET', KEYS[1], 'published', '1')
return 1
