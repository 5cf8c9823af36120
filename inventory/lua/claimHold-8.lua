--[[
  The one linearization point between a payment and expiry: whichever of claim and the sweeper
  runs first decides. HELD (even past its deadline, not yet swept) → CLAIMED. A hold that is gone
  (expired and swept, released, or lost with Redis) is reacquired when exactly the expected seats
  are still free; otherwise the payment must be voided.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] deadlines  KEYS[6] claims
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  KEYS[7] holds  KEYS[8] hold
  ARGV[1] jti
  ARGV[2] expected items, JSON [{s, t, i ('' for GA), n, p, l}] (what the payment was for)
  ARGV[3] expected amount (minor units)
  ARGV[4] currency

  Returns {'claimed' | 'reacquired' | 'already_sold', field, value, …} | {'lost'}
  Errors: USHER:wrong_state (seat states disagree with the hold: audit)
]]
--- @include "claimOne"

local k = { seats = KEYS[1], state = KEYS[2], free = KEYS[3], counts = KEYS[4], deadlines = KEYS[5], claims = KEYS[6], holds = KEYS[7] }
return claimOne(k, KEYS[8], ARGV[1], ARGV[2], ARGV[3], ARGV[4], nowMs())
