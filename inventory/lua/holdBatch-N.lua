--[[
  holdSeats-10.lua for several admission passes on one shard in one call (the coalescer of
  hold-batcher.ts): each pass gets the answer holdSeats would give it had the passes run one after
  the other in this order, and the batch shares its writes (includes/placeHolds.lua). The key count
  varies with the batch (7 + 3 per pass), hence N in the name: the caller passes it (hold-batcher.ts).

  KEYS[1] meta, KEYS[2] seats, KEYS[3] state, KEYS[4] free, KEYS[5] counts, KEYS[6] deadlines,
  KEYS[7] runs: the shard's keys, as in holdSeats-10.lua
  then per pass p (p = 1 … P): KEYS[7 + 3p - 2] hold, KEYS[7 + 3p - 1] marker, KEYS[7 + 3p] round

  ARGV[1] marker TTL seconds
  then per pass, in the order of its keys: jti, placement round ('' = read it), mode, section id or
  tier code, quantity, '1' = together, the number of seat ids n, then n seat ids (mode seats)

  Returns a flat list: the currency and the deadline of the batch's new holds ('' when none), then
    4 strings per pass, in order (hold-batcher.ts turns each into holdSeats' reply):
      'hold', round, items JSON, amount     a new hold (state HELD, the batch's currency and deadline)
      'replay', '', JSON of holdSeats' reply ({'hold', round, field, value, …}), ''   an earlier hold
      'miss', round, reason, ''  |  'stale', round, '', ''
      'error', '', 'USHER:<code> <detail>', ''   a pass refused with holdSeats' errors (that pass only:
        the others are answered and written)
  Errors (nothing written): USHER:wrong_state when a pass appears twice in the batch.
]]
--- @include "placeHolds"

local shard = { meta = KEYS[1], seats = KEYS[2], state = KEYS[3], free = KEYS[4], counts = KEYS[5], deadlines = KEYS[6], runs = KEYS[7] }
local holds, a, NO_SEATS = {}, 2, {}
for p = 1, (#KEYS - 7) / 3 do
  local n = ARGV[a + 6] == '0' and 0 or tonumber(ARGV[a + 6])
  local seats = NO_SEATS -- shared by the passes without seat ids (read only)
  if n > 0 then
    seats = {}
    for j = 1, n do seats[j] = ARGV[a + 6 + j] end
  end
  local k = 7 + 3 * p
  holds[p] = {
    jti = ARGV[a], round = ARGV[a + 1], mode = ARGV[a + 2], target = ARGV[a + 3], q = ARGV[a + 4], together = ARGV[a + 5] == '1',
    seats = seats, hold = KEYS[k - 2], marker = KEYS[k - 1], roundKey = KEYS[k],
  }
  a = a + 7 + n
end
local answers = placeHolds(shard, holds, ARGV[1])
if answers.err then return answers end
-- one flat reply, 4 strings a pass: cheaper to build and to send than a holdSeats reply each
-- (12 strings a hold, 3 of them the same for the whole batch)
local out = { answers.currency or '', answers.deadline or '' }
local function put(tag, round, x, y)
  out[#out + 1] = tag
  out[#out + 1] = round
  out[#out + 1] = x
  out[#out + 1] = y
end
for p = 1, #holds do
  local answer = answers[p]
  if answer.itemsJson then put('hold', answer.roundS, answer.itemsJson, answer.amount)
  elseif answer.err then put('error', '', answer.err, '')
  elseif answer[1] == 'hold' then put('replay', '', cjson.encode(answer), '') -- an earlier hold, its record as read back
  else put(answer[1], answer[2], answer[3] or '', '') end
end
return out
