--[[
  leave-3: one socket of a fan closed. When it was the fan's last open socket on any edge, the fan
  is marked disconnected; the admission tick drops the place after the reconnect grace.

  KEYS[1] presence      HASH visitor -> open sockets across edges
  KEYS[2] disconnected  ZSET visitor -> disconnect ms
  KEYS[3] visitors      HASH visitor -> stored place (admission/lua/includes/visitorPlace.lua)

  ARGV[1] visitor id

  Returns the fan's open sockets left (0 = now disconnected). Never refuses. Publishes nothing.
]]
--- @include "visitorPlace"
local visitor = ARGV[1]
local open = tonumber(redis.call('HGET', KEYS[1], visitor)) or 0
if open > 1 then return redis.call('HINCRBY', KEYS[1], visitor, -1) end

local place = decodePlace(redis.call('HGET', KEYS[3], visitor))
-- an admitted fan's lease runs on without a socket; everyone else may lose the place after the grace
local waits = place ~= nil and (place.state == 'prequeue' or place.state == 'waiting' or place.state == 'offer')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HDEL', KEYS[1], visitor)
if waits then redis.call('ZADD', KEYS[2], now, visitor) end
return 0
