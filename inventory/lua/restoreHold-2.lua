--[[
  Rebuild: recreates the record of a SOLD hold from Postgres (its seats are written by publishShard).
  KEYS[1] holds  KEYS[2] hold
  ARGV[1] jti  ARGV[2] JSON [field, value, …]
  Returns 1 written | 0 a record already exists
]]
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local flat = cjson.decode(ARGV[2])
redis.call('HSET', KEYS[2], unpack(flat))
redis.call('SADD', KEYS[1], ARGV[1])
return 1
