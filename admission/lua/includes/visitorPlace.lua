--[[
  A visitor's place as the sale's `visitors` hash stores it: one JSON value per visitor, with
  one-letter keys and states because a sale holds hundreds of thousands of them. The legend is
  admission/visitor-place.ts (a test keeps these tables equal to it); scripts use the long names
  only, through decodePlace / encodePlace:
    state     'prequeue' | 'waiting' | 'offer' | 'admitted'
    ticket    queue ticket (waiting, offer)
    deadline  offer deadline ms (offer)
    jti, exp, pass  the admission pass of the lease (admitted)
]]
local PLACE_STATES = { prequeue = 'p', waiting = 'w', offer = 'o', admitted = 'a' }
local PLACE_FIELDS = { state = 's', ticket = 't', deadline = 'd', pass = 'p', exp = 'e', jti = 'j' }

local PLACE_STATE_NAMES = {}
for name, letter in pairs(PLACE_STATES) do PLACE_STATE_NAMES[letter] = name end

-- raw: the hash value, or false (HGET of a visitor without a place); returns the place or nil
local function decodePlace(raw)
  if not raw then return nil end
  local stored = cjson.decode(raw)
  local place = {}
  for name, key in pairs(PLACE_FIELDS) do place[name] = stored[key] end
  place.state = PLACE_STATE_NAMES[place.state]
  return place
end

local function encodePlace(place)
  local stored = {}
  for name, key in pairs(PLACE_FIELDS) do stored[key] = place[name] end
  stored[PLACE_FIELDS.state] = PLACE_STATES[place.state]
  return cjson.encode(stored)
end
