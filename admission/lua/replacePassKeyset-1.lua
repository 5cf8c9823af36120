--[[
  replacePassKeyset-1: compare-and-set of the admission-pass keyset (one JSON document), so two
  operators rotating at once, or several edges seeding an empty keyset at start-up, never overwrite
  each other: the loser re-reads and retries (or adopts the winner's keyset).

  KEYS[1] keyset  STRING JSON {version, keys:[…]} (see admission/pass-keyset.ts)

  ARGV[1] the version the caller read, or '' when it found no keyset (then the key must not exist)
  ARGV[2] the new keyset (JSON), its version already bumped by the caller

  Returns 1 when written, 0 when the stored keyset is not the one the caller read (nothing written).
  Publishes nothing: edges re-read the keyset every PASS_KEYS_REFRESH_S.
]]
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current ~= false then return 0 end
else
  if current == false then return 0 end
  local ok, doc = pcall(cjson.decode, current)
  if not ok or type(doc) ~= 'table' or tonumber(doc.version) ~= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
