/**
 * What the seat-state cache costs Redis during the rush, counted by Redis itself: for a few
 * seconds a MONITOR connection sees every command the server runs, and the seat-state reads of
 * this sale are told apart by their keys (inventory/inventory-seat-states.ts: HGET `ver` of each
 * shard's counts hash, HGETALL of the state hash of a shard that changed). INFO commandstats
 * cannot tell them from the holds' and the availability's HGET/HGETALLs; MONITOR can, at the
 * price of slowing Redis while it runs, so it runs in short windows only.
 */
import net from 'node:net';
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

/** The arguments of one MONITOR line: `+<time> [<db> <client>] "cmd" "arg" …` (quoted, backslash-escaped). */
export function monitorArgs(line: string): string[] {
  const out: string[] = [];
  const from = line.indexOf('] ');
  if (from < 0) return out;
  for (const m of line.slice(from + 2).matchAll(/"((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

/**
 * Counts for `ms` milliseconds; `requests()` is the running count of seat-state answers. MONITOR
 * is spoken over a plain socket (a client library's command queue has no notion of a connection
 * that only streams), and any failure ends the window with an error instead of the run.
 */
export async function sampleSeatStateCost(redisUrl: string, saleId: string, shards: number, ms: number, requests: () => number, t: number): Promise<SeatStateWindow> {
  const counts = new Set(Array.from({ length: shards }, (_, k) => shardKeys(saleId, k).counts));
  const states = new Set(Array.from({ length: shards }, (_, k) => shardKeys(saleId, k).state));
  const url = new URL(redisUrl);
  const tally = { version: 0, state: 0, all: 0 };
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
  let rest = '';
  let started = 0;
  let r0 = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('latin1')).split('\r\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '+OK' && !started) {
          started = Date.now();
          r0 = requests();
          setTimeout(() => socket.end(), ms);
          continue;
        }
        if (line.startsWith('-')) return reject(new Error(`MONITOR: ${line}`));
        if (!started || line[0] !== '+') continue;
        tally.all++;
        const what = seatStateCommand(monitorArgs(line), counts, states);
        if (what) tally[what]++;
      }
    });
  });
  socket.write('MONITOR\r\n');
  const guard = setTimeout(() => socket.destroy(new Error('MONITOR window did not end')), ms + 15_000);
  try {
    await done;
  } finally {
    clearTimeout(guard);
    socket.destroy();
  }
  if (!started) throw new Error('MONITOR never answered +OK');
  const seconds = (Date.now() - started) / 1000;
  const r1 = requests();
  const per = (n: number) => Math.round((n / seconds) * 10) / 10;
  return {
    t, seconds: Math.round(seconds * 10) / 10, requests_per_s: per(r1 - r0), version_hgets_per_s: per(tally.version), state_hgetalls_per_s: per(tally.state),
    redis_calls_per_s: per(tally.version + tally.state), all_commands_per_s: per(tally.all),
  };
}
