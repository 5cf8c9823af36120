/**
 * What the seat-state cache costs Redis during the rush, counted by Redis itself: for a few
 * seconds a MONITOR connection sees every command the server runs, and the seat-state reads of
 * this sale are told apart by their keys (inventory/inventory-seat-states.ts: HGET `ver` of each
 * shard's counts hash, HGETALL of the state hash of a shard that changed). INFO commandstats
 * cannot tell them from the holds' and the availability's HGET/HGETALLs; MONITOR can, at the
 * price of slowing Redis while it runs, so it runs in short windows only.
 */
import { monitorArgs, monitorWindow } from '../../test/support/redis-monitor.js';
import { shardKeys } from '../../inventory/inventory-keys.js';

export interface SeatStateWindow {
  /** seconds since the opening when the window started */
  t: number;
  seconds: number;
  /** seat-state requests the viewers and shoppers got answered in the window, per second */
  requests_per_s: number;
  version_hgets_per_s: number;
  state_hgetalls_per_s: number;
  redis_calls_per_s: number;
  /** every command Redis ran in the window (Lua's own calls included), per second, for scale */
  all_commands_per_s: number;
}

export function seatStateCommand(args: string[], counts: Set<string>, states: Set<string>): 'version' | 'state' | null {
  const cmd = args[0]?.toLowerCase();
  if (cmd === 'hget' && args[2] === 'ver' && counts.has(args[1] ?? '')) return 'version';
  if (cmd === 'hgetall' && states.has(args[1] ?? '')) return 'state';
  return null;
}


/**
 * Counts for `ms` milliseconds (monitor-window.ts); `requests()` is the running count of seat-state answers.
 */
export async function sampleSeatStateCost(redisUrl: string, saleId: string, shards: number, ms: number, requests: () => number, t: number): Promise<SeatStateWindow> {
  const counts = new Set(Array.from({ length: shards }, (_, k) => shardKeys(saleId, k).counts));
  const states = new Set(Array.from({ length: shards }, (_, k) => shardKeys(saleId, k).state));
  const tally = { version: 0, state: 0, all: 0 };
  let r0 = 0;
  const seconds = await monitorWindow(redisUrl, ms, () => (r0 = requests()), (line) => {
    tally.all++;
    const what = seatStateCommand(monitorArgs(line), counts, states);
    if (what) tally[what]++;
  });
  const r1 = requests();
  const per = (n: number) => Math.round((n / seconds) * 10) / 10;
  return {
    t, seconds: Math.round(seconds * 10) / 10, requests_per_s: per(r1 - r0), version_hgets_per_s: per(tally.version), state_hgetalls_per_s: per(tally.state),
    redis_calls_per_s: per(tally.version + tally.state), all_commands_per_s: per(tally.all),
  };
}
