--[[
  Starts the next placement round of a pass after every shard missed in round ARGV[1], so a later
  retry may find seats that came back. Only the current round moves on; a stale caller is a no-op.
  KEYS[1] round (on the pass's home shard)
  ARGV[1] the round that missed everywhere  ARGV[2] TTL seconds
  Returns the current round after the call
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return current end
redis.call('SET', KEYS[1], current + 1, 'EX', ARGV[2])
return current + 1
