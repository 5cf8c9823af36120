--[[
  Releases a HELD hold: its seats go back to the pool. Idempotent: any other state answers 0.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] deadlines  KEYS[6] hold  KEYS[7] runs
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  ARGV[1] jti
  ARGV[2] TTL seconds of the released hold record (kept so repeats answer 'already')

  Returns 1 released | 0 not HELD any more
  Errors: USHER:hold_not_found, USHER:wrong_state (seat states disagree with the hold: audit)
]]
--- @include "freeHeld"

if redis.call('EXISTS', KEYS[6]) == 0 then return redis.error_reply('USHER:hold_not_found') end
if redis.call('HGET', KEYS[6], 'state') ~= 'HELD' then return 0 end
return freeHeld(ARGV[1], 'RELEASED', ARGV[2])
