--[[
  finalizeHold-6.lua for several holds of one shard in one call (a group commit's finalizes,
  checkout/worker/commit/commit-hold.ts): CLAIMED → SOLD for each (includes/finalizeOne.lua), one
  hold's refusal refusing that hold only. Idempotent per hold: SOLD answers 0, so a hold listed
  twice answers 1 then 0. The key count varies with the batch (5 + 1 per hold), hence N in the name:
  the caller passes it (hold-lifecycle.ts).

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] claims: the shard's keys, as
  in finalizeHold-6.lua
  then KEYS[5 + h] the record of hold h (h = 1 … H)
  ARGV[h] the jti of hold h

  Returns one answer per hold, in order: 1 finalized | 0 already SOLD | 'USHER:hold_not_found' |
  'USHER:wrong_state …' (nothing written for that hold; the others are finalized).
]]
--- @include "finalizeOne"

local k = { seats = KEYS[1], state = KEYS[2], free = KEYS[3], counts = KEYS[4], claims = KEYS[5] }
local now = nowMs()
local out = {}
for h = 1, #KEYS - 5 do
  local answer = finalizeOne(k, KEYS[5 + h], ARGV[h], now)
  if type(answer) == 'table' then answer = answer.err end
  out[h] = answer
end
return out
