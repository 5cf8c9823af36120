--[[
  The free-run index of a shard: lets "N seats together" find its row without reading the section.
  Seat scores are section * 1e8 + row * 1e4 + position (shard-plan.ts), so one row's seats share a
  row base (score - score % 1e4) and neighbours have consecutive scores.
  runs ZSET: for t = 2..RUN_CAP, an entry scored t * 1e12 + row base (member: that number) says the
  row MAY have a free run of at least t seats. It is a superset: every row with a free run of t has
  its entry (written where seats become free: publish, release, expiry, unclaim, restock), and holds
  write nothing; a search that meets a row without the run drops the row's entries above its
  longest run, so stale entries are paid for once. Requests for more than RUN_CAP seats together
  read the section instead.
]]
local RUN_CAP, RUN_SPAN, ROW_SPAN, SECTION_SPAN = 10, 1e12, 1e4, 1e8

local function runMember(t, rowBase) return string.format('%.0f', t * RUN_SPAN + rowBase) end

-- Free seats of one row: flat {id, score, id, score, …} (bounded by the row's length).
local function rowFree(freeKey, rowBase)
  return redis.call('ZRANGEBYSCORE', freeKey, rowBase, rowBase + ROW_SPAN - 1, 'WITHSCORES')
end

-- The first q consecutive free seats of `flat` (ids), or nil and the longest run seen. Seats in
-- `skip` (a set, optional: taken earlier in the same batch, placeHolds.lua) count as not free.
local function firstRun(flat, q, skip)
  local picked, last, longest = {}, nil, 0
  for j = 1, #flat, 2 do
    -- a skipped seat is a gap: the next seat's score is not last + 1
    if not (skip and skip[flat[j]]) then
      local score = tonumber(flat[j + 1])
      if last and score == last + 1 then picked[#picked + 1] = flat[j] else picked = { flat[j] } end
      last = score
      if #picked == q then return picked end
      if #picked > longest then longest = #picked end
    end
  end
  return nil, longest
end

-- Records that each row of `rowBases` (a set) has its current runs; call after its seats became free.
local function indexRows(freeKey, runsKey, rowBases)
  local add = {}
  for rowBase in pairs(rowBases) do
    local whole, longest = firstRun(rowFree(freeKey, rowBase), RUN_CAP)
    if whole then longest = RUN_CAP end
    for t = 2, math.min(longest, RUN_CAP) do
      add[#add + 1] = t * RUN_SPAN + rowBase
      add[#add + 1] = runMember(t, rowBase)
    end
    if #add >= 400 then redis.call('ZADD', runsKey, unpack(add)); add = {} end
  end
  if #add > 0 then redis.call('ZADD', runsKey, unpack(add)) end
end

-- The best q seats together of the section whose scores start at `lo`: ids, or nil. Seats in
-- `skip` (optional) are taken by an earlier hold of the same batch and not yet written.
local function findTogether(freeKey, runsKey, lo, q, skip)
  if q > RUN_CAP then
    local picked = firstRun(redis.call('ZRANGEBYSCORE', freeKey, lo, lo + SECTION_SPAN - 1, 'WITHSCORES'), q, skip)
    return picked
  end
  local base = q * RUN_SPAN + lo
  -- each pass drops an entry, so this ends; the bound keeps a bug from becoming a busy Redis
  for _ = 1, 100000 do
    local hit = redis.call('ZRANGEBYSCORE', runsKey, base, base + SECTION_SPAN - 1, 'LIMIT', 0, 1)[1]
    if not hit then return nil end
    local rowBase = tonumber(hit) - q * RUN_SPAN
    local picked, longest = firstRun(rowFree(freeKey, rowBase), q, skip)
    if picked then return picked end
    -- a stale entry: the row's longest run is below q now (after the batch's writes too); no run
    -- above it may stay listed
    local stale = {}
    for t = math.max(longest + 1, 2), RUN_CAP do stale[#stale + 1] = runMember(t, rowBase) end
    redis.call('ZREM', runsKey, unpack(stale))
  end
  return redis.error_reply('USHER:wrong_state the run index does not shrink')
end
