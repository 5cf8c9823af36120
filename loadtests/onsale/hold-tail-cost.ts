/**
 * What a hold costs Redis at the end of the sale, when most hold requests fail: for a few seconds
 * a MONITOR connection counts the commands that name this sale's shard keys, told apart by who ran
 * them (a script call from a client, a command run inside a script, a plain command), against the
 * hold requests answered in the same window. This is where a walk over every section of every
 * shard showed (tens of thousands of commands a second for refusals); it counts every user of the
 * sale's keys (availability, seat states, claims, the sweeper too), so it is an upper bound per hold.
 */
import { monitorArgs, monitorSource, monitorWindow } from '../../test/support/redis-monitor.js';

export interface HoldTailWindow {
  /** seconds since the opening when the window started */
  t: number;
  seconds: number;
  /** free places when it started, and the share of the sale they were */
  free_at_start: number;
  hold_requests: number;
  holds_placed: number;
  /** per hold request answered in the window */
  script_calls_per_hold: number | null;
  commands_in_scripts_per_hold: number | null;
  plain_commands_per_hold: number | null;
  /** every command naming the sale's shard keys, per second, and every command Redis ran, per second */
  sale_commands_per_s: number;
  all_commands_per_s: number;
}

export type TailKind = 'script' | 'in_script' | 'plain';

export function tailCommand(args: string[], source: string, tag: string): TailKind | null {
  if (!args.some((a) => a.includes(tag))) return null;
  if (source === 'lua') return 'in_script';
  const cmd = args[0]?.toLowerCase();
  return cmd === 'evalsha' || cmd === 'eval' ? 'script' : 'plain';
}

/** `holds()` is the running count of hold answers: [all, placed]. */
export async function sampleHoldTailCost(redisUrl: string, saleId: string, ms: number, holds: () => [number, number], t: number, free: number): Promise<HoldTailWindow> {
  // every shard key of the sale carries the hash tag {<sale>:<shard>}
  const tag = `{${saleId}:`;
  const tally = { script: 0, in_script: 0, plain: 0, all: 0 };
  let h0: [number, number] = [0, 0];
  const seconds = await monitorWindow(redisUrl, ms, () => (h0 = holds()), (line) => {
    tally.all++;
    const kind = tailCommand(monitorArgs(line), monitorSource(line), tag);
    if (kind) tally[kind]++;
  });
  const [a1, p1] = holds();
  const requests = a1 - h0[0];
  const per = (n: number) => (requests > 0 ? Math.round((n / requests) * 10) / 10 : null);
  return {
    t, seconds: Math.round(seconds * 10) / 10, free_at_start: free, hold_requests: requests, holds_placed: p1 - h0[1],
    script_calls_per_hold: per(tally.script), commands_in_scripts_per_hold: per(tally.in_script), plain_commands_per_hold: per(tally.plain),
    sale_commands_per_s: Math.round(((tally.script + tally.in_script + tally.plain) / seconds) * 10) / 10, all_commands_per_s: Math.round((tally.all / seconds) * 10) / 10,
  };
}
