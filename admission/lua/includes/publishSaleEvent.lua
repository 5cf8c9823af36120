--[[
  Publishes an event on the sale's channel (a KEYS entry: it shares the sale's {<sale>} slot).
  mode 'sharded' (a Redis Cluster): SPUBLISH, delivered by the shard owning the slot only;
  anything else (a single Redis): PUBLISH. The caller passes the mode (admission/sale-channel.ts).
]]
local function publishSaleEvent(channel, mode, event)
  if mode == 'sharded' then
    return redis.call('SPUBLISH', channel, cjson.encode(event))
  end
  return redis.call('PUBLISH', channel, cjson.encode(event))
end
