--[[
  The hold decision of several admission passes on one shard, in one script call (holdBatch-N.lua,
  for a batch the TypeScript coalescer hold-batcher.ts gathered). The answer for each pass is the
  one holdSeats-10.lua would give if the passes ran one after the other in batch order: every
  read sees the batch's earlier holds through an overlay (seats taken, counters moved), and every
  write is made once at the end, shared by the batch — one HSET
  of seat states, one ZREM of free seats, one `ver` bump, one HINCRBY pair per section, one ZADD of
  deadlines — so a hold's own writes are its record only. A pass refused with an error changes
  nothing (its overlay is applied only once it holds). Passes of one batch are distinct (the
  coalescer never puts a pass twice in one batch; a repeated jti is refused as a wrong state).

  shard: { meta, seats, state, free, counts, deadlines, runs } (keys as in holdSeats-10.lua)
  holds: list of { jti, round ('' = read it from roundKey), mode, target, q (string), together
           (boolean), seats (list of ids, mode seats), hold, marker, roundKey (keys) }
  Returns one answer per pass — a holdSeats reply table (a replay, a miss, stale), an error_reply
  table, or for a new hold the pass's own table with its items, itemsJson and amount — and, as
  answers.currency and answers.deadline, the values every new hold of the batch shares.
]]
--- @include "nowMs"
--- @include "holdReply"
--- @include "seatInfo"
--- @include "runIndex"

local META_FIXED = { 'published', 'on_sale', 'opens_ms', 'closes_ms', 'limit', 'hold_s', 'currency' }
local MISS_RANK = { sold_out = 1, all_held = 2, not_together = 3 }

local function placeHolds(shard, holds, markerTtl)
  local now = nowMs()
  local answers = {}

  -- 1. One EXISTS over every pass's hold, marker and round: fresh passes (the common case) replay
  -- nothing and are in round 0.
  local perPassKeys, seenJti = {}, {}
  for _, h in ipairs(holds) do
    if seenJti[h.jti] then return redis.error_reply('USHER:wrong_state pass ' .. h.jti .. ' twice in one batch') end
    seenJti[h.jti] = true
    perPassKeys[#perPassKeys + 1] = h.hold
    perPassKeys[#perPassKeys + 1] = h.marker
    perPassKeys[#perPassKeys + 1] = h.roundKey
  end
  local anyKnown = redis.call('EXISTS', unpack(perPassKeys)) > 0
  local undecided = {}
  for j, h in ipairs(holds) do
    if anyKnown then
      h.roundN = tonumber(h.round ~= '' and h.round or (redis.call('GET', h.roundKey) or '0'))
      h.roundS = tostring(h.roundN)
      if redis.call('EXISTS', h.hold, h.marker) > 0 then
        local reply = holdReply(h.hold, 'hold')
        if #reply > 1 then
          table.insert(reply, 2, h.roundS)
          answers[j] = reply
        else
          local marker = redis.call('GET', h.marker)
          if marker then
            local r, reason = string.match(marker, '^(%d+)|(.*)$')
            if tonumber(r) > h.roundN then answers[j] = { 'stale', h.roundS }
            elseif tonumber(r) == h.roundN then answers[j] = { 'miss', h.roundS, reason } end
          end
        end
      end
    elseif h.round == '' then
      h.roundN, h.roundS = 0, '0'
    else
      -- the round as given when it is written as tostring would write it (the caller's String(n)):
      -- formatting a number costs a printf
      h.roundN = tonumber(h.round)
      h.roundS = (h.round == '0' or string.find(h.round, '^[1-9]%d*$')) and h.round or tostring(h.roundN)
    end
    if not answers[j] then undecided[#undecided + 1] = j end
  end
  if #undecided == 0 then return answers end

  -- 2. The meta once for the batch: the fixed fields and what each pass's mode needs (a section's
  -- "ord|kind|tier|name", a tier's section list and price); anything else on demand, cached.
  local metaFields, metaAt = {}, {}
  local function wantMeta(field)
    if not metaAt[field] then
      metaFields[#metaFields + 1] = field
      metaAt[field] = #metaFields
    end
  end
  for _, f in ipairs(META_FIXED) do wantMeta(f) end
  local demand = 0
  for _, j in ipairs(undecided) do
    local h = holds[j]
    if h.mode == 'section' then wantMeta('sec:' .. h.target)
    elseif h.mode == 'tier' then wantMeta('tier:' .. h.target); wantMeta('price:' .. h.target) end
    demand = demand + (tonumber(h.q) or 0)
  end
  local mv = redis.call('HMGET', shard.meta, unpack(metaFields))
  local metaCache = {}
  local function meta(field)
    local at = metaAt[field]
    if at then return mv[at] or nil end
    if metaCache[field] == nil then metaCache[field] = redis.call('HGET', shard.meta, field) or false end
    return metaCache[field] or nil
  end

  -- The overlay: what the batch's earlier holds took, seen by every later read of the batch.
  local taken, delta, stored = {}, {}, {}
  local function counter(prefix, sec)
    local field = prefix .. sec
    if stored[field] == nil then stored[field] = tonumber(redis.call('HGET', shard.counts, field) or '0') end
    return stored[field] + (delta[field] or 0)
  end
  local function heldOrSoldOut(sec)
    if counter('h:', sec) + counter('c:', sec) > 0 then return 'all_held' end
    return 'sold_out'
  end
  -- Best available of a section, by a cursor over its free seats in score order: the free set does
  -- not change until the end, so seats before the cursor are taken by this batch.
  local cursors = {}
  local function bestFree(sec, ord, q)
    local c = cursors[sec]
    if not c then
      c = { list = {}, pos = 1, done = false }
      cursors[sec] = c
    end
    local picked, pos = {}, c.pos
    while #picked < q do
      if pos > #c.list then
        if c.done then break end
        -- the section's scores are ord * 1e8 … ord * 1e8 + 99999999 (SECTION_SPAN), written as
        -- strings: a number argument costs Redis a printf
        local chunk = tostring(math.max(q, demand))
        local got = redis.call('ZRANGEBYSCORE', shard.free, ord .. '00000000', ord .. '99999999', 'LIMIT', tostring(#c.list), chunk)
        for _, id in ipairs(got) do c.list[#c.list + 1] = id end
        if #got < tonumber(chunk) then c.done = true end
      else
        local id = c.list[pos]
        pos = pos + 1
        if not taken[id] then picked[#picked + 1] = id end
      end
    end
    if #picked < q then return nil end
    c.pos = pos
    return picked
  end

  local sections = {}
  local function pickSection(sec, raw, q, qs, together)
    if not raw then return nil, 'sold_out' end -- the section has no seats on this shard
    local parsed = sections[sec]
    if not parsed then
      parsed = { string.match(raw, '^([^|]*)|([^|]*)|([^|]*)|(.*)$') }
      sections[sec] = parsed
    end
    local ord, kind, tier, name = parsed[1], parsed[2], parsed[3], parsed[4]
    if kind == 'ga' then
      if counter('f:', sec) >= q then return { { s = sec, t = tier, i = '', n = q, l = name } } end
      return nil, heldOrSoldOut(sec)
    end
    local picked
    if not together or q == 1 then
      picked = bestFree(sec, ord, q)
      if not picked then return nil, heldOrSoldOut(sec) end
    else
      -- the first run of q free seats in score order (includes/runIndex.lua)
      picked = findTogether(shard.free, shard.runs, tonumber(ord) * SECTION_SPAN, q, taken)
      if picked and picked.err then return nil, nil, picked end
      if not picked then
        if counter('f:', sec) >= q then return nil, 'not_together' end
        return nil, heldOrSoldOut(sec)
      end
    end
    local items = {}
    -- p and l are set at the end (price, label): made with them, an item is not rehashed then
    for j, id in ipairs(picked) do items[j] = { s = sec, t = tier, i = id, n = 1, p = 0, l = false } end
    return items
  end

  -- 3. Each undecided pass in batch order: checks (nothing written), then its share of the overlay.
  local markers, labelled, held, counterNames = {}, {}, {}, {}
  local prices = {}
  local published, open = meta('published') == '1', false
  if published then
    open = meta('on_sale') == '1' and now >= tonumber(meta('opens_ms')) and now < tonumber(meta('closes_ms'))
  end
  local limit = tonumber(meta('limit'))
  local function miss(j, h, reason)
    markers[#markers + 1] = h.marker
    markers[#markers + 1] = h.roundS .. '|' .. reason
    answers[j] = { 'miss', h.roundS, reason }
  end
  for _, j in ipairs(undecided) do
    local h = holds[j]
    local q = tonumber(h.q)
    local items, reason, err
    if h.mode == 'probe' then miss(j, h, 'elsewhere')
    elseif not published then err = redis.error_reply('USHER:unknown_sale')
    elseif not open then err = redis.error_reply('USHER:sale_not_open')
    elseif not q or q < 1 or q ~= math.floor(q) then err = redis.error_reply('USHER:bad_quantity')
    elseif q > limit then err = redis.error_reply('USHER:over_limit limit ' .. meta('limit'))
    elseif h.mode == 'section' then
      items, reason, err = pickSection(h.target, meta('sec:' .. h.target), q, h.q, h.together)
    elseif h.mode == 'tier' then
      prices[h.target] = meta('price:' .. h.target)
      reason = 'sold_out'
      for sec in string.gmatch(meta('tier:' .. h.target) or '', '[^,]+') do
        local got, why, e = pickSection(sec, meta('sec:' .. sec), q, h.q, h.together)
        if e then err = e; break end
        if got then items = got; break end
        if MISS_RANK[why] > MISS_RANK[reason] then reason = why end
      end
    else -- seats
      local seen, isTaken = {}, false
      items = {}
      for _, id in ipairs(h.seats) do
        if seen[id] then err = redis.error_reply('USHER:duplicate_seat ' .. id); break end
        seen[id] = true
        local info = seatInfo(shard.seats, id)
        if not info then err = redis.error_reply('USHER:unknown_seat ' .. id); break end
        if taken[id] or redis.call('HGET', shard.state, id) ~= 'F' then isTaken = true end
        items[#items + 1] = { s = info.sec, t = info.tier, i = id, n = 1, l = info.label }
      end
      if not err and #items ~= q then err = redis.error_reply('USHER:bad_quantity') end
      if isTaken then items = nil; reason = 'seat_taken' end
    end
    if err then
      answers[j] = err
    elseif items then
      for _, it in ipairs(items) do
        if it.i ~= '' then
          taken[it.i] = true
          if not it.l then labelled[#labelled + 1] = it end -- false: to be read
        end
        local names = counterNames[it.s]
        if not names then names = { 'f:' .. it.s, 'h:' .. it.s }; counterNames[it.s] = names end
        local f, hk = names[1], names[2]
        delta[f] = (delta[f] or 0) - it.n
        delta[hk] = (delta[hk] or 0) + it.n
      end
      -- the pass's own table carries its hold (one table less a hold)
      h.j, h.items = j, items
      held[#held + 1] = h
    elseif not answers[j] then
      miss(j, h, reason)
    end
  end

  -- 4. The writes, once for the batch.
  if #labelled > 0 then
    local ids = {}
    for k, it in ipairs(labelled) do ids[k] = it.i end
    local raws = redis.call('HMGET', shard.seats, unpack(ids))
    -- "section|tier|score|row|position|label" (includes/seatInfo.lua): only the label is new here
    -- (no label read: nil, the field left out, as cjson leaves out a nil)
    for k, it in ipairs(labelled) do it.l = raws[k] and string.match(raws[k], '^[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|(.*)$') or nil end
  end
  local seatState, seatIds, moved, deadlines = {}, {}, {}, {}
  local deadline = string.format('%.0f', now + tonumber(meta('hold_s') or '0') * 1000)
  local currency = meta('currency')
  local priceOf, amountText = {}, {}
  for _, rec in ipairs(held) do
    local amount = 0
    local heldBy = 'H:' .. rec.jti
    for _, it in ipairs(rec.items) do
      local price = priceOf[it.t]
      if not price then
        price = tonumber(prices[it.t] or meta('price:' .. it.t) or '0')
        priceOf[it.t] = price
      end
      it.p = price
      amount = amount + price * it.n
      if it.i ~= '' then
        seatState[#seatState + 1] = it.i
        seatState[#seatState + 1] = heldBy
        seatIds[#seatIds + 1] = it.i
      end
      moved[it.s] = (moved[it.s] or 0) + it.n
    end
    local amountS = amountText[amount]
    if not amountS then amountS = string.format('%.0f', amount); amountText[amount] = amountS end
    -- cjson, not Lua string building: that cost more than cjson's number formatting (callgrind)
    rec.itemsJson = cjson.encode(rec.items)
    rec.amount = amountS
    -- the record's fields a hold needs (hold-record.ts): no `extended` (absent = not extended), no
    -- `jti` (the key's own), no `created` (never read); fewer fields are a cheaper HSET, AOF entry
    -- and replay
    redis.call('HSET', rec.hold, 'state', 'HELD', 'items', rec.itemsJson, 'amount', amountS, 'currency', currency, 'deadline', deadline)
    deadlines[#deadlines + 1] = deadline
    deadlines[#deadlines + 1] = rec.jti
    answers[rec.j] = rec
  end
  answers.currency, answers.deadline = currency, deadline
  if #seatIds > 0 then
    redis.call('HSET', shard.state, unpack(seatState))
    redis.call('ZREM', shard.free, unpack(seatIds))
    redis.call('HINCRBY', shard.counts, 'ver', '1')
  end
  for sec, n in pairs(moved) do
    local ns = tostring(n)
    redis.call('HINCRBY', shard.counts, 'f:' .. sec, '-' .. ns)
    redis.call('HINCRBY', shard.counts, 'h:' .. sec, ns)
  end
  if #deadlines > 0 then redis.call('ZADD', shard.deadlines, unpack(deadlines)) end
  for k = 1, #markers, 2 do redis.call('SET', markers[k], markers[k + 1], 'EX', markerTtl) end
  return answers
end
