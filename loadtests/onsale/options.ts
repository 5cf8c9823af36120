/** The command line of `npm run loadtest`: every knob has a default that is the scenario. */
import { parseArgs } from 'node:util';

export interface OnsaleOptions {
  seats: number;
  fans: number;
  /** Peak of the browsing HTTP load in requests/s; shoppers' requests come on top. */
  peakRps: number;
  /** Admission rate of the sale, fans per minute. */
  ratePerMin: number;
  maxActive: number;
  /** New WebSocket fans per second while they arrive (all generator processes together). */
  connectPerS: number;
  /** Fans per generator process (each process may hold at most 20,000 open files). */
  fansPerProcess: number;
  edgeProcesses: number;
  /** EDGE_TICK_MS of the stack: position broadcast and admission tick period. */
  tickMs: number;
  /** Fans waiting over the HTTP status fallback rather than a socket. */
  pollers: number;
  rampS: number;
  /** How long the browsing load holds its peak. */
  peakS: number;
  /** Hard stop after the opening, whatever happens. */
  maxS: number;
  /** Share of admitted fans who pay (the rest release their hold). */
  pay: number;
  catalogEvents: number;
  /** Share of the places that are general admission (0: every place a reserved seat). */
  gaShare: number;
  shards: number;
  /** Fans with the seat map open, polling the seat states every `viewerPollMs` (from the opening on). */
  viewers: number;
  viewerPollMs: number;
  /** PG_POOL_MAX of every role (20 by default here; production's default is 10): a smaller pool shows how the API sheds a rush. */
  pgPoolMax: number;
  /** `--quantities 6` or `4:1,6:3`: what fans ask for (quantity:weight), instead of the shared fixture's mix. */
  quantities: [number, number][] | null;
  keepData: boolean;
  out: string;
}

const numbers = ['seats', 'fans', 'peak-rps', 'rate', 'max-active', 'connect-rate', 'fans-per-process', 'edge-processes', 'tick-ms', 'pollers', 'ramp', 'peak', 'max', 'pay', 'catalog-events', 'ga-share', 'shards', 'viewers', 'viewer-poll-ms', 'pg-pool-max'] as const;

/** `6` or `4:1,6:3` → [[6, 1]] or [[4, 1], [6, 3]]. */
export function parseQuantities(text: string): [number, number][] {
  return text.split(',').map((part) => {
    const [q, w = '1'] = part.split(':');
    const quantity = Number(q);
    const weight = Number(w);
    if (!Number.isInteger(quantity) || quantity < 1 || !(weight > 0)) throw new Error(`--quantities: "${part}" is not quantity[:weight]`);
    return [quantity, weight];
  });
}

export function parseOptions(argv: string[]): OnsaleOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(numbers.map((n) => [n, { type: 'string' as const }])),
      'keep-data': { type: 'boolean' },
      quantities: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`npm run loadtest -- [--seats 5000] [--fans 50000] [--peak-rps 2000] [--rate 3000 (admissions/min)] [--max-active 20000]
  [--connect-rate 1000] [--fans-per-process 12500] [--edge-processes 3] [--tick-ms 2000] [--pollers 1000] [--ramp 20] [--peak 60] [--max 300]
  [--pay 0.9] [--catalog-events 2000] [--ga-share 0.4] [--shards 16] [--viewers 1000] [--viewer-poll-ms 1000] [--pg-pool-max 20] [--quantities 1:25,2:45,…] [--keep-data] [--out onsale]
The 50,000-seat sale with the default mix of fans and venue (40 % floor), sold out:
  npm run loadtest -- --seats 50000 --rate 12000 --max 1200 --peak-rps 500 --viewers 500 --out onsale-50k-default-mix
Every place a reserved seat:
  npm run loadtest -- --seats 50000 --ga-share 0 --rate 3000 --max 1200 --viewers 2000 --out onsale-50k\n`);
    process.exit(0);
  }
  const num = (name: (typeof numbers)[number], fallback: number, min = 0): number => {
    const raw = (values as Record<string, string | undefined>)[name];
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min} (got ${raw})`);
    return v;
  };
  const seats = Math.round(num('seats', 5000, 25));
  const fans = Math.round(num('fans', 50_000, 1));
  return {
    seats, fans,
    peakRps: num('peak-rps', 2000, 10),
    ratePerMin: Math.round(num('rate', 3000, 1)),
    // high: a fan who gives up keeps its shopper slot for the whole pass TTL (see the report), which
    // would otherwise stall admissions before the last seats sell
    maxActive: Math.round(num('max-active', 20_000, 1)),
    connectPerS: num('connect-rate', 1000, 1),
    fansPerProcess: Math.round(num('fans-per-process', 12_500, 100)),
    edgeProcesses: Math.round(num('edge-processes', fans > 15_000 ? 3 : 1, 1)),
    tickMs: Math.round(num('tick-ms', 2000, 100)),
    pollers: Math.round(num('pollers', Math.min(1000, Math.ceil(fans / 20)), 0)),
    rampS: num('ramp', 20, 4),
    peakS: num('peak', 60, 5),
    maxS: num('max', 300, 30),
    pay: Math.min(1, num('pay', 0.9)),
    catalogEvents: Math.round(num('catalog-events', 2000)),
    gaShare: Math.min(1, num('ga-share', 0.4)),
    shards: Math.round(num('shards', 16, 1)),
    viewers: Math.round(num('viewers', 1000)),
    viewerPollMs: Math.round(num('viewer-poll-ms', 1000, 100)),
    pgPoolMax: Math.round(num('pg-pool-max', 20, 1)),
    quantities: typeof values.quantities === 'string' ? parseQuantities(values.quantities) : null,
    keepData: Boolean(values['keep-data']),
    out: typeof values.out === 'string' ? values.out : 'onsale',
  };
}
