/** The command line of `npm run drill`: which drill, and the sale it runs (defaults: a small one that still has a crowd). */
import { parseArgs } from 'node:util';
import { DRILLS, type DrillName } from './faults.js';
import type { DrillSettings } from './run-drill.js';

export interface DrillOptions {
  drills: DrillName[];
  settings: DrillSettings;
  edgeProcesses: number;
  tickMs: number;
  keepData: boolean;
}

export const USAGE = `npm run drill -- <${[...DRILLS, 'all'].join('|')}> [--fans 2000] [--seats 400] [--rate 300 (admissions/min)]
  [--connect-rate 500] [--pay 0.9] [--edge-processes 2] [--tick-ms 1000] [--postgres-down 10 (s)] [--redis-down 5 (s)] [--redis-signal SIGTERM|SIGKILL]
  [--trigger-sold 0.2] [--after-restore 10 (s)] [--max 240 (s)] [--keep-data]\n`;

const numbers = ['fans', 'seats', 'rate', 'connect-rate', 'pay', 'edge-processes', 'tick-ms', 'postgres-down', 'redis-down', 'trigger-sold', 'after-restore', 'max'] as const;

export function parseDrillOptions(argv: string[]): DrillOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(numbers.map((n) => [n, { type: 'string' as const }])),
      'redis-signal': { type: 'string' },
      'keep-data': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const which = positionals[0];
  if (positionals.length !== 1 || !which || ![...DRILLS, 'all'].includes(which)) throw new Error(`name one drill or all\n${USAGE}`);
  const num = (name: (typeof numbers)[number], fallback: number, min: number): number => {
    const raw = (values as Record<string, string | undefined>)[name];
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min} (got ${raw})`);
    return v;
  };
  const signal = values['redis-signal'] ?? 'SIGTERM';
  if (signal !== 'SIGTERM' && signal !== 'SIGKILL') throw new Error(`--redis-signal is SIGTERM or SIGKILL (got ${signal})`);
  const edgeProcesses = Math.round(num('edge-processes', 2, 1));
  const drills = which === 'all' ? [...DRILLS] : [which as DrillName];
  if (drills.includes('edge-kill') && edgeProcesses < 2) throw new Error('edge-kill needs --edge-processes ≥ 2');
  return {
    drills,
    edgeProcesses,
    tickMs: Math.round(num('tick-ms', 1000, 100)),
    keepData: Boolean(values['keep-data']),
    settings: {
      fans: Math.round(num('fans', 2000, 10)),
      seats: Math.round(num('seats', 400, 25)),
      ratePerMin: Math.round(num('rate', 300, 1)),
      connectPerS: num('connect-rate', 500, 1),
      pay: Math.min(1, num('pay', 0.9, 0)),
      triggerSoldShare: Math.min(0.9, num('trigger-sold', 0.2, 0)),
      triggerAfterS: 30,
      afterRestoreS: num('after-restore', 10, 0),
      maxS: num('max', 240, 20),
      settleS: 90,
      fault: { postgresDownMs: num('postgres-down', 10, 1) * 1000, redisDownMs: num('redis-down', 5, 0) * 1000, redisSignal: signal },
    },
  };
}
