/** Figures computed from a run's samples and counts (pure functions, tested). */
import { LatencySamples } from '../lib/percentiles.js';
import type { Sample } from './timeline.js';

/**
 * Measured admission rate against the setting, over the stretch where nothing but the rate limited
 * admissions: from the first admission until the queue ran dry, the shopper cap was reached, or no
 * seat was free. The slope is a least-squares fit of the admitted counter over time, so a tick
 * boundary at either end does not skew it.
 */
export function admissionRate(samples: Sample[], setting: number, maxActive: number): { measuredPerMin: number; errorPct: number; windowS: number } | null {
  const first = samples.findIndex((s) => s.admitted > 0);
  if (first < 0) return null;
  const window: Sample[] = [];
  for (const s of samples.slice(first)) {
    if (s.waiting === 0 || s.free === 0 || s.active + s.offers >= maxActive) break;
    window.push(s);
  }
  if (window.length < 5) return null;
  const n = window.length;
  const mx = window.reduce((a, s) => a + s.at, 0) / n;
  const my = window.reduce((a, s) => a + s.admitted, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of window) {
    sxy += (s.at - mx) * (s.admitted - my);
    sxx += (s.at - mx) ** 2;
  }
  const perMin = (sxy / sxx) * 60_000;
  return { measuredPerMin: perMin, errorPct: (Math.abs(perMin - setting) / setting) * 100, windowS: (window[n - 1]!.at - window[0]!.at) / 1000 };
}

/** Seconds from the opening until every place was sold (null if it never was). */
export function timeToSellOut(samples: Sample[], capacity: number): number | null {
  const s = samples.find((x) => x.t >= 0 && x.sold >= capacity);
  return s ? s.t : null;
}

/** Highest count of responses in one whole wall-clock second. */
export function peakPerSecond(perSecond: Map<number, number>, nowS = Math.floor(Date.now() / 1000)): { peak: number; at: number | null } {
  let peak = 0;
  let at: number | null = null;
  for (const [s, n] of perSecond) {
    if (s < nowS && n > peak) {
      peak = n;
      at = s;
    }
  }
  return { peak, at };
}

export interface EndpointFigures {
  requests: number;
  ok: number;
  client_errors: number;
  /** 5xx that are not deliberate load shedding */
  server_errors: number;
  /** 503 overloaded with Retry-After: the API shedding load on purpose (a documented answer, not a failure) */
  shed: number;
  transport_errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** p99 from when the request had a connected socket (null when the generator does not say): p99 − wire_p99 is the generator's own queue */
  wire_p99: number | null;
}

/**
 * A problem kind (request-meter.ts problemKind) that is deliberate load shedding: 503 `overloaded`
 * with a Retry-After (common/dependency-busy.ts). Any other 5xx, an outage's 503 included, is an error.
 */
export const isShedding = (kind: string): boolean => kind === '503 overloaded retry-after';

/** Per route, how many of its 5xx answers were load shedding. */
function shedCount(byKind: Record<string, number> | undefined): number {
  return Object.entries(byKind ?? {}).filter(([k]) => isShedding(k)).reduce((a, [, n]) => a + n, 0);
}

export interface ServerErrorKind {
  route: string;
  /** `<status> <problem code>[ retry-after]`; `-` for an answer without a problem body (or one the generator does not read) */
  kind: string;
  count: number;
  shedding: boolean;
}

/** Every 5xx answer of the run by route and problem kind, the most frequent first. */
export function serverErrorBreakdown(problems: Record<string, Record<string, number>>): ServerErrorKind[] {
  const out: ServerErrorKind[] = [];
  for (const [route, byKind] of Object.entries(problems)) {
    for (const [kind, count] of Object.entries(byKind)) if (Number(kind.split(' ')[0]) >= 500) out.push({ route, kind, count, shedding: isShedding(kind) });
  }
  return out.sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
}

function wireP99(list: number[] | undefined): number | null {
  if (!list?.length) return null;
  const samples = new LatencySamples();
  for (const v of list) samples.add(v);
  return samples.summary().p99;
}

/** Per-route counts by status class (5xx split into shedding and errors) and exact percentiles of the answered requests. */
export function endpointFigures(statuses: Record<string, Record<string, number>>, latencies: Record<string, number[]>, problems: Record<string, Record<string, number>> = {}, wire: Record<string, number[]> = {}): Record<string, EndpointFigures> {
  const out: Record<string, EndpointFigures> = {};
  for (const [route, byStatus] of Object.entries(statuses)) {
    const samples = new LatencySamples();
    for (const v of latencies[route] ?? []) samples.add(v);
    const n = (pred: (s: number) => boolean) => Object.entries(byStatus).filter(([s]) => pred(Number(s))).reduce((a, [, c]) => a + c, 0);
    const sum = samples.summary();
    const shed = shedCount(problems[route]);
    out[route] = {
      requests: n(() => true), ok: n((s) => s >= 200 && s < 400), client_errors: n((s) => s >= 400 && s < 500),
      server_errors: n((s) => s >= 500) - shed, shed, transport_errors: n((s) => s === 0),
      p50: sum.p50, p95: sum.p95, p99: sum.p99, max: sum.max, wire_p99: wireP99(wire[route]),
    };
  }
  return out;
}
