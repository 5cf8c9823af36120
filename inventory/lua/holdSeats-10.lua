--[[
  Takes seats for one admission pass on one shard, or replays this shard's earlier decision for the
  pass. Per shard and placement round the decision is made once (a hold, or a "missed here" marker),
  so concurrent requests of one pass that walk the shards in the same order converge on one hold;
  the argument is in hold-placement.ts.

  KEYS[1] meta       HASH  sale meta copy: published, on_sale, opens_ms, closes_ms, limit, hold_s,
                           currency, price:<tier>, sec:<section> = "ord|kind|tier|name", tier:<code> = "s1,s2"
  KEYS[2] seats      HASH  seat id → "section|tier|score|row|position|label"
  KEYS[3] state      HASH  seat id → F | H:<jti> | C:<jti> | S:<jti>
  KEYS[4] free       ZSET  free reserved seats by score
  KEYS[5] counts     HASH  f:/h:/c:/s:<section> counters; `ver` the shard's seat-state version (bumped
                           when reserved seats are taken)
  KEYS[6] deadlines  ZSET  jti → deadline ms
  KEYS[7] hold       HASH  this pass's hold on this shard
  KEYS[8] marker     STRING "<round>|<reason>": this shard's miss decision for the pass
  KEYS[9] round      STRING the pass's placement round (read only when ARGV[2] is '', i.e. on the
                     pass's home shard; saves the caller a round trip)
  KEYS[10] runs      ZSET  the free-run index (includes/runIndex.lua): N together finds its row without
                     reading the section
  A new hold is found by the sweeper and the audit through KEYS[6]; it joins the shard's set of
  holds when claimed (claimHold-8), which saves every hold a write.
  Several passes at once on one shard go as holdBatch-N.lua (includes/placeHolds.lua), which must
  answer each as this script would, one after the other (hold-batcher.test.ts holds them to it).
  This one stays the reference and the lone step's path: for one pass it costs about a quarter
  less than the batch code does (callgrind; inventory/README.md).

  ARGV[1] jti
  ARGV[2] placement round (integer), or '' to read it from KEYS[10]
  ARGV[3] mode: 'section' | 'tier' | 'seats' | 'probe' (probe: only replay or record 'elsewhere')
  ARGV[4] section id (mode section) or tier code (mode tier), '' otherwise
  ARGV[5] quantity
  ARGV[6] '1' = reserved seats adjacent in one row
  ARGV[7] marker TTL seconds (at least the pass lifetime)
  ARGV[8…] seat ids (mode seats)

  Returns {'hold', round, field, value, …} (new or existing hold, any state) | {'miss', round, reason}
    | {'stale', round}; round is the round this answer belongs to
    reasons: sold_out | all_held | not_together | seat_taken | elsewhere
    stale: the pass moved to a later round; restart from the home shard.
  Errors (nothing written): USHER:unknown_sale, USHER:sale_not_open, USHER:over_limit,
    USHER:bad_quantity, USHER:unknown_seat, USHER:duplicate_seat
]]
--- @include "nowMs"
--- @include "holdReply"
--- @include "seatInfo"
--- @include "runIndex"

local jti, mode, target = ARGV[1], ARGV[3], ARGV[4]
local roundRaw = ARGV[2] ~= '' and ARGV[2] or (redis.call('GET', KEYS[9]) or '0')
local round = tonumber(roundRaw)
-- the answer's round as given when tostring would write it the same (formatting a number costs a printf)
local roundS = (roundRaw == '0' or string.find(roundRaw, '^[1-9]%d*$')) and roundRaw or tostring(round)
local q, together = tonumber(ARGV[5]), ARGV[6] == '1'

-- 1. Replay: a hold of this pass here (any round), or this round's decision. A fresh pass, the
-- common case, costs one EXISTS for both keys.
if redis.call('EXISTS', KEYS[7], KEYS[8]) > 0 then
  local reply = holdReply(KEYS[7], 'hold')
  if #reply > 1 then
    table.insert(reply, 2, roundS)
    return reply
  end
  local marker = redis.call('GET', KEYS[8])
  if marker then
    local r, reason = string.match(marker, '^(%d+)|(.*)$')
    if tonumber(r) > round then return { 'stale', roundS } end
    if tonumber(r) == round then return { 'miss', roundS, reason } end
  end
end

local function miss(reason)
  redis.call('SET', KEYS[8], roundS .. '|' .. reason, 'EX', ARGV[7])
  return { 'miss', roundS, reason }
end
if mode == 'probe' then return miss('elsewhere') end

-- 2. Checks, nothing written yet. One HMGET also brings what the mode needs next: m[8] the
-- section's "ord|kind|tier|name" (section mode) or the tier's section list and m[9] its price
-- (tier mode).
local m = redis.call('HMGET', KEYS[1], 'published', 'on_sale', 'opens_ms', 'closes_ms', 'limit', 'hold_s', 'currency',
  mode == 'section' and ('sec:' .. target) or mode == 'tier' and ('tier:' .. target) or 'published',
  mode == 'tier' and ('price:' .. target) or 'published')
if m[1] ~= '1' then return redis.error_reply('USHER:unknown_sale') end
local now = nowMs()
if m[2] ~= '1' or now < tonumber(m[3]) or now >= tonumber(m[4]) then return redis.error_reply('USHER:sale_not_open') end
if not q or q < 1 or q ~= math.floor(q) then return redis.error_reply('USHER:bad_quantity') end
if q > tonumber(m[5]) then return redis.error_reply('USHER:over_limit limit ' .. m[5]) end
local prices = {}
if mode == 'tier' then prices[target] = m[9] end

local function counter(prefix, sec) return tonumber(redis.call('HGET', KEYS[5], prefix .. sec) or '0') end
local function heldOrSoldOut(sec)
  if counter('h:', sec) + counter('c:', sec) > 0 then return 'all_held' end
  return 'sold_out'
end
local rank = { sold_out = 1, all_held = 2, not_together = 3 }

-- Best seats of one section on this shard: list of items, or nil and a reason.
local function pickSection(sec, raw)
  if not raw then return nil, 'sold_out' end -- the section has no seats on this shard
  local ord, kind, tier, name = string.match(raw, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if kind == 'ga' then
    if counter('f:', sec) >= q then return { { s = sec, t = tier, i = '', n = q, l = name } } end
    return nil, heldOrSoldOut(sec)
  end
  local picked
  if not together or q == 1 then
    -- the section's scores are ord * 1e8 … ord * 1e8 + 99999999 (SECTION_SPAN), written as
    -- strings: a number argument costs Redis a printf
    picked = redis.call('ZRANGEBYSCORE', KEYS[4], ord .. '00000000', ord .. '99999999', 'LIMIT', '0', ARGV[5])
    if #picked < q then return nil, heldOrSoldOut(sec) end
  else
    -- the first run of q free seats in score order (includes/runIndex.lua)
    picked = findTogether(KEYS[4], KEYS[10], tonumber(ord) * SECTION_SPAN, q)
    if not picked then
      if counter('f:', sec) >= q then return nil, 'not_together' end
      return nil, heldOrSoldOut(sec)
    end
  end
  local items = {}
  local raws = redis.call('HMGET', KEYS[2], unpack(picked))
  for j, id in ipairs(picked) do
    -- "section|tier|score|row|position|label" (includes/seatInfo.lua): only the label is new here
    items[j] = { s = sec, t = tier, i = id, n = 1, l = string.match(raws[j], '^[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|(.*)$') }
  end
  return items
end

local items, reason
if mode == 'section' then
  items, reason = pickSection(target, m[8])
elseif mode == 'tier' then
  local list = m[8] or ''
  reason = 'sold_out'
  for sec in string.gmatch(list, '[^,]+') do
    local got, why = pickSection(sec, redis.call('HGET', KEYS[1], 'sec:' .. sec))
    if got then items = got; break end
    if rank[why] > rank[reason] then reason = why end
  end
else -- seats
  local seen, taken = {}, false
  items = {}
  for j = 8, #ARGV do
    local id = ARGV[j]
    if seen[id] then return redis.error_reply('USHER:duplicate_seat ' .. id) end
    seen[id] = true
    local info = seatInfo(KEYS[2], id)
    if not info then return redis.error_reply('USHER:unknown_seat ' .. id) end
    if redis.call('HGET', KEYS[3], id) ~= 'F' then taken = true end
    items[#items + 1] = { s = info.sec, t = info.tier, i = id, n = 1, l = info.label }
  end
  if #items ~= q then return redis.error_reply('USHER:bad_quantity') end
  if taken then items = nil; reason = 'seat_taken' end
end
if not items then return miss(reason) end

-- 3. Writes (batched: one HSET and one ZREM for all seats, one HINCRBY pair per section).
local amount, perSection, seatState, seatIds = 0, {}, {}, {}
for _, it in ipairs(items) do
  local price = prices[it.t]
  if not price then
    price = redis.call('HGET', KEYS[1], 'price:' .. it.t) or '0'
    prices[it.t] = price
  end
  it.p = tonumber(price)
  amount = amount + it.p * it.n
  if it.i ~= '' then
    seatState[#seatState + 1] = it.i
    seatState[#seatState + 1] = 'H:' .. jti
    seatIds[#seatIds + 1] = it.i
  end
  perSection[it.s] = (perSection[it.s] or 0) + it.n
end
if #seatIds > 0 then
  redis.call('HSET', KEYS[3], unpack(seatState))
  redis.call('ZREM', KEYS[4], unpack(seatIds))
  redis.call('HINCRBY', KEYS[5], 'ver', '1')
end
for sec, n in pairs(perSection) do
  -- the usual single-section hold of q places reuses the quantity string (no number formatting)
  local ns = n == q and ARGV[5] or tostring(n)
  redis.call('HINCRBY', KEYS[5], 'f:' .. sec, '-' .. ns)
  redis.call('HINCRBY', KEYS[5], 'h:' .. sec, ns)
end
local deadline = string.format('%.0f', now + tonumber(m[6]) * 1000)
-- no `extended` (absent = not extended), `jti` (the key's own) or `created` (never read): fewer
-- fields are a cheaper HSET, AOF entry and reply (hold-record.ts reads the record)
local fields = { 'state', 'HELD', 'items', cjson.encode(items), 'amount', string.format('%.0f', amount), 'currency', m[7],
  'deadline', deadline }
redis.call('HSET', KEYS[7], unpack(fields))
redis.call('ZADD', KEYS[6], deadline, jti)
-- the reply from the values at hand (what a replay would read back), without an HGETALL
table.insert(fields, 1, roundS)
table.insert(fields, 1, 'hold')
return fields
