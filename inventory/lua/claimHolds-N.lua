--[[
  claimHold-8.lua for several holds of one shard in one call (a group commit's claims,
  checkout/worker/commit/commit-hold.ts): each hold gets the answer claimHold would give it had the
  holds been claimed one after the other in this order (includes/claimOne.lua), and one hold's
  refusal refuses that hold only. A hold listed twice is claimed once; its second entry answers
  'claimed' like a repeated claimHold. The key count varies with the batch (7 + 1 per hold), hence N
  in the name: the caller passes it (hold-lifecycle.ts).

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] deadlines  KEYS[6] claims
  KEYS[7] holds: the shard's keys, as in claimHold-8.lua
  then KEYS[7 + h] the record of hold h (h = 1 … H)
  ARGV, 4 per hold h, in the order of its key: jti, expected items JSON, expected amount, currency

  Returns one reply per hold, in order: claimHold's reply ({'claimed' | 'reacquired' |
  'already_sold', field, value, …} | {'lost'}), or {'error', 'USHER:wrong_state …'} for a hold whose
  seat states disagree with it (nothing written for it; the others are claimed).
  Each hold's check comes before its writes, so a hold is never half claimed.
]]
--- @include "claimOne"

local k = { seats = KEYS[1], state = KEYS[2], free = KEYS[3], counts = KEYS[4], deadlines = KEYS[5], claims = KEYS[6], holds = KEYS[7] }
local now = nowMs()
local out = {}
for h = 1, #KEYS - 7 do
  local a = 4 * h - 3
  local reply = claimOne(k, KEYS[7 + h], ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], now)
  if reply.err then reply = { 'error', reply.err } end
  out[h] = reply
end
return out
