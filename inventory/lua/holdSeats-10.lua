--[[
  Takes seats for one admission pass on one shard, or replays this shard's earlier decision for the
  pass. Per shard and placement round the decision is made once (a hold, or a "missed here" marker),
  so concurrent requests of one pass that walk the shards in the same order converge on one hold;
  the argument is in hold-placement.ts.

  KEYS[1] meta       HASH  sale meta copy: published, on_sale, opens_ms, closes_ms, limit, hold_s,
                           currency, price:<tier>, sec:<section> = "ord|kind|tier|name", tier:<code> = "s1,s2"
  KEYS[2] seats      HASH  seat id → "section|tier|score|row|position|label"
  KEYS[3] state      HASH  seat id → F | H:<jti> | C:<jti> | S:<jti>
  KEYS[4] free       ZSET  free reserved seats by score
  KEYS[5] counts     HASH  f:/h:/c:/s:<section> counters; `ver` the shard's seat-state version (bumped
                           when reserved seats are taken)
  KEYS[6] deadlines  ZSET  jti → deadline ms
  KEYS[7] hold       HASH  this pass's hold on this shard
  KEYS[8] marker     STRING "<round>|<reason>": this shard's miss decision for the pass
  KEYS[9] round      STRING the pass's placement round (read only when ARGV[2] is '', i.e. on the
                     pass's home shard; saves the caller a round trip)
  KEYS[10] runs      ZSET  the free-run index (includes/runIndex.lua): N together finds its row without
                     reading the section
  A new hold is found by the sweeper and the audit through KEYS[6]; it joins the shard's set of
  holds when claimed (claimHold-8), which saves every hold a write. The decision itself is
  includes/placeHolds.lua, shared with holdBatch-N.lua (several passes in one call).

  ARGV[1] jti
  ARGV[2] placement round (integer), or '' to read it from KEYS[10]
  ARGV[3] mode: 'section' | 'tier' | 'seats' | 'probe' (probe: only replay or record 'elsewhere')
  ARGV[4] section id (mode section) or tier code (mode tier), '' otherwise
  ARGV[5] quantity
  ARGV[6] '1' = reserved seats adjacent in one row
  ARGV[7] marker TTL seconds (at least the pass lifetime)
  ARGV[8…] seat ids (mode seats)

  Returns {'hold', round, field, value, …} (new or existing hold, any state) | {'miss', round, reason}
    | {'stale', round}; round is the round this answer belongs to
    reasons: sold_out | all_held | not_together | seat_taken | elsewhere
    stale: the pass moved to a later round; restart from the home shard.
  Errors (nothing written): USHER:unknown_sale, USHER:sale_not_open, USHER:over_limit,
    USHER:bad_quantity, USHER:unknown_seat, USHER:duplicate_seat
]]
--- @include "placeHolds"

local seats = {}
for j = 8, #ARGV do seats[#seats + 1] = ARGV[j] end
local shard = { meta = KEYS[1], seats = KEYS[2], state = KEYS[3], free = KEYS[4], counts = KEYS[5], deadlines = KEYS[6], runs = KEYS[10] }
local answers = placeHolds(shard, { {
  jti = ARGV[1], round = ARGV[2], mode = ARGV[3], target = ARGV[4], q = ARGV[5], together = ARGV[6] == '1', seats = seats,
  hold = KEYS[7], marker = KEYS[8], roundKey = KEYS[9],
} }, ARGV[7])
if answers.err then return answers end
return answers[1]
