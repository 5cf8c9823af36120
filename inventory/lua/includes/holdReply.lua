-- A hold answered as {tag, field, value, …} (the wrapper parses it with hold-record.ts).
local function holdReply(holdKey, tag)
  local reply = redis.call('HGETALL', holdKey)
  table.insert(reply, 1, tag)
  return reply
end
