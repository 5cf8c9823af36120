-- Static seat map entry "section|tier|score|row|position|label" (label last: it may contain '|').
local function parseSeat(raw)
  if not raw then return nil end
  local sec, tier, score, row, pos, label = string.match(raw, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$')
  return { sec = sec, tier = tier, score = tonumber(score), row = tonumber(row), pos = tonumber(pos), label = label }
end
local function seatInfo(seatsKey, seatId)
  return parseSeat(redis.call('HGET', seatsKey, seatId))
end
