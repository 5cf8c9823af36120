--[[
  CLAIMED → SOLD once the order is committed in Postgres. Idempotent: SOLD answers 0.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] claims  KEYS[6] hold
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  ARGV[1] jti

  Returns 1 finalized | 0 already SOLD
  Errors: USHER:hold_not_found, USHER:wrong_state (not CLAIMED, or seat states disagree)
]]
--- @include "finalizeOne"

local k = { seats = KEYS[1], state = KEYS[2], free = KEYS[3], counts = KEYS[4], claims = KEYS[5] }
return finalizeOne(k, KEYS[6], ARGV[1], nowMs())
