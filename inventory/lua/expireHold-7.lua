--[[
  The sweeper's step for one hold: HELD past its deadline → EXPIRED, seats back to the pool.
  Re-checks state and deadline itself, so any number of sweepers may race on the same hold, and a
  claim that ran first (state CLAIMED) wins.

  KEYS[1] seats  KEYS[2] state  KEYS[3] free  KEYS[4] counts  KEYS[5] deadlines  KEYS[6] hold  KEYS[7] runs
  (KEYS[4] counts also holds `ver`, the shard's seat-state version, bumped when reserved seats move)
  ARGV[1] jti
  ARGV[2] TTL seconds of the expired hold record
  ARGV[3] now in ms, or '' for Redis TIME

  Returns 1 expired | 0 not due or not HELD (a stale deadline entry is removed)
]]
--- @include "nowMs"
--- @include "freeHeld"

local now = ARGV[3] ~= '' and tonumber(ARGV[3]) or nowMs()
local state, deadline = unpack(redis.call('HMGET', KEYS[6], 'state', 'deadline'))
if state ~= 'HELD' then
  redis.call('ZREM', KEYS[5], ARGV[1])
  return 0
end
if tonumber(deadline) > now then return 0 end
return freeHeld(ARGV[1], 'EXPIRED', ARGV[2])
