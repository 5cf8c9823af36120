--[[
  The sale's admission token bucket (KEYS `bucket`: HASH tokens, ts, seats), shared by the tick
  (admit) and a passthrough join, so both spend from one bucket on Redis TIME and the rate holds
  whoever admits.
    refillBucket(key, now, rate, capS, open) -> tokens available now (0 while not open: a pause or a
      pre-queue does not bank a burst). Capacity: max(2, capS seconds of the rate). The rate is the
      lower of `rate` and the bucket's eff_rate while admission is backed off (includes/healthBackoff.lua).
    storeBucket(key, tokens, now)
]]
local function refillBucket(key, now, rate, capS, open)
  if not open then return 0 end
  local b = redis.call('HMGET', key, 'tokens', 'ts', 'eff_rate')
  local tokens, ts = tonumber(b[1]) or 0, tonumber(b[2]) or now
  local eff = tonumber(b[3])
  if eff ~= nil and eff < rate then rate = eff end
  -- A few ticks' worth at most: enough to ride over a late tick, too little for a burst after a lull.
  local cap = math.max(2, rate * capS / 60)
  return math.min(cap, tokens + math.max(0, now - ts) * rate / 60000)
end

local function storeBucket(key, tokens, now)
  redis.call('HSET', key, 'tokens', string.format('%.6f', tokens), 'ts', now)
end
