--[[
  demoTransition-1: one state change of a demo PaymentIntent (demo-gateway.ts), check and write in
  one atomic step, so concurrent captures and cancels agree on one transition.

  KEYS[1] intent  STRING  the intent as JSON ({id, status, amountMinor, …}), with its TTL
  ARGV[1] JSON array of the statuses it may move from
  ARGV[2] the status it moves to

  Returns the intent's JSON after the call: moved when its status was one of ARGV[1], unchanged
  otherwise (the caller compares). Errors: NOT_FOUND when there is no such intent. Publishes nothing.
]]
local raw = redis.call('GET', KEYS[1])
if not raw then return redis.error_reply('NOT_FOUND') end
local pi = cjson.decode(raw)
local from = cjson.decode(ARGV[1])
for _, s in ipairs(from) do
  if pi.status == s then
    pi.status = ARGV[2]
    raw = cjson.encode(pi)
    redis.call('SET', KEYS[1], raw, 'KEEPTTL')
    return raw
  end
end
return raw
