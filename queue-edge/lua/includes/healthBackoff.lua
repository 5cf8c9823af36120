--[[
  Admission that follows backend health: the sale's effective rate, additive-increase /
  multiplicative-decrease against the operator's setting, kept in the sale's bucket HASH (fields
  eff_rate: present only while backed off; eff_at: ms of the last step; breach: the signals past
  their threshold at that step, comma-separated).

    effectiveRate(bucketKey, now, rate, settings, health) -> effective rate per minute, breach
      rate: the operator's rate_per_min (never exceeded)
      settings: HMGET of the sale's backoff, backoff_hold_p99_ms, backoff_commit_queue, backoff_error_rate_pct
        ('0' backoff turns it off for the sale; a threshold field overrides the default, 0 = not watched)
      health: decoded JSON {signals = {hold_p99_ms, commit_queue, error_rate_pct} (absent: unknown),
        limits = defaults of the same names, step = recovery per second as a fraction of rate,
        floor = fraction of rate never gone below, intervalMs = least time between two steps}

  One step per intervalMs for the whole sale whichever edge ticks (Redis TIME): a breach halves the
  effective rate (not below floor × rate); no breach adds step × rate per second up to the setting,
  where the backoff ends (eff_rate removed, so a raise by the operator applies at once).
]]
local BACKOFF_SIGNALS = { 'hold_p99_ms', 'commit_queue', 'error_rate_pct' }

local function effectiveRate(key, now, rate, settings, health)
  if settings[1] == '0' or health == nil or rate <= 0 then
    redis.call('HDEL', key, 'eff_rate', 'eff_at', 'breach')
    return rate, ''
  end
  local breach = {}
  for i, name in ipairs(BACKOFF_SIGNALS) do
    local limit = tonumber(settings[i + 1]) or tonumber(health.limits[name]) or 0
    local value = tonumber(health.signals[name])
    if limit > 0 and value ~= nil and value > limit then breach[#breach + 1] = name end
  end
  local b = redis.call('HMGET', key, 'eff_rate', 'eff_at', 'breach')
  local eff = math.min(rate, tonumber(b[1]) or rate)
  local at = tonumber(b[2]) or 0
  local named = table.concat(breach, ',')
  if now - at < health.intervalMs then
    -- not yet time for a step; the last step's breach stands (so every edge reports the same)
    return eff, b[3] or ''
  end
  if #breach > 0 then
    eff = math.max(math.max(1, rate * health.floor), eff / 2)
  elseif eff < rate then
    local elapsed = math.min(now - at, 2 * health.intervalMs)
    eff = math.min(rate, eff + rate * health.step * elapsed / 1000)
  end
  if eff < rate then
    redis.call('HSET', key, 'eff_rate', string.format('%.6f', eff), 'eff_at', now, 'breach', named)
  else
    redis.call('HDEL', key, 'eff_rate')
    redis.call('HSET', key, 'eff_at', now, 'breach', named)
  end
  return eff, named
end
