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

  Returns one answer per pass, in order: holdSeats' reply ({'hold', …} | {'miss', …} | {'stale', …}),
    or {'error', 'USHER:<code> <detail>'} for a pass refused with holdSeats' errors (that pass only:
    the others are answered and written).
  Errors (nothing written): USHER:wrong_state when a pass appears twice in the batch.
]]
--- @include "placeHolds"

local shard = { meta = KEYS[1], seats = KEYS[2], state = KEYS[3], free = KEYS[4], counts = KEYS[5], deadlines = KEYS[6], runs = KEYS[7] }
local holds, a = {}, 2
for p = 1, (#KEYS - 7) / 3 do
  local n = tonumber(ARGV[a + 6])
  local seats = {}
  for j = 1, n do seats[j] = ARGV[a + 6 + j] end
  local k = 7 + 3 * p
  holds[p] = {
    jti = ARGV[a], round = ARGV[a + 1], mode = ARGV[a + 2], target = ARGV[a + 3], q = ARGV[a + 4], together = ARGV[a + 5] == '1',
    seats = seats, hold = KEYS[k - 2], marker = KEYS[k - 1], roundKey = KEYS[k],
  }
  a = a + 7 + n
end
local answers = placeHolds(shard, holds, ARGV[1])
if answers.err then return answers end
for p, answer in ipairs(answers) do
  if answer.err then answers[p] = { 'error', answer.err } end
end
return answers
