--- @include "seatInfo"
--- @include "runIndex"
--[[
  Items of a hold are {s = section, t = tier, i = seat id ('' for general admission), n = count,
  p = unit price, l = label}. States are F (free), H (held), C (claimed), S (sold); a seat's state
  value is 'F' or '<letter>:<jti>', and the counters are '<letter lower>:<section>' in the counts hash.
  The counts hash's `ver` field is the shard's seat-state version: bumped by every script that
  changes a reserved seat's state, so readers of the seat states (inventory-seat-states.ts) re-read a
  shard's states only when it changed.
]]

-- True when every item is in state `from` for this jti (reserved seats by their state, GA by the counter).
local function itemsAre(stateKey, countsKey, items, jti, from)
  local expected = from == 'F' and 'F' or (from .. ':' .. jti)
  local gaNeed = {}
  for _, it in ipairs(items) do
    if it.i ~= '' then
      if redis.call('HGET', stateKey, it.i) ~= expected then return false end
    else
      gaNeed[it.s] = (gaNeed[it.s] or 0) + it.n
    end
  end
  local prefix = string.lower(from) .. ':'
  for sec, need in pairs(gaNeed) do
    if tonumber(redis.call('HGET', countsKey, prefix .. sec) or '0') < need then return false end
  end
  return true
end

-- Moves every item from state `from` to `to`; call only after itemsAre() said yes. Seats made free
-- are indexed in `runsKey` (runIndex.lua), which every caller freeing seats passes.
local function moveItems(seatsKey, stateKey, freeKey, countsKey, items, jti, from, to, runsKey)
  local rows, seatMoved = {}, false
  for _, it in ipairs(items) do
    if it.i ~= '' then
      seatMoved = true
      redis.call('HSET', stateKey, it.i, to == 'F' and 'F' or (to .. ':' .. jti))
      if to == 'F' then
        local score = seatInfo(seatsKey, it.i).score
        redis.call('ZADD', freeKey, score, it.i)
        rows[score - score % ROW_SPAN] = true
      elseif from == 'F' then
        redis.call('ZREM', freeKey, it.i)
      end
    end
    redis.call('HINCRBY', countsKey, string.lower(from) .. ':' .. it.s, -it.n)
    redis.call('HINCRBY', countsKey, string.lower(to) .. ':' .. it.s, it.n)
  end
  if to == 'F' then indexRows(freeKey, runsKey, rows) end
  if seatMoved then redis.call('HINCRBY', countsKey, 'ver', 1) end
end
