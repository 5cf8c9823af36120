/**
 * The live dashboard's one data endpoint: queue (Redis, written by the edges each tick), shoppers,
 * inventory (availability), sales and funnel (Postgres), p99 latencies (all API processes of this host, summed). Admitted
 * per minute is measured here from the running `admitted` total over the last minute of reads.
 */
import { queueKeys } from '../../admission/queue-keys.js';
import { readSaleSettings, type SaleSettings } from '../../admission/sale-controls.js';
import type { PgPool } from '../../common/postgres-pool.js';
import type { RedisClient } from '../../common/redis-connection.js';
import type { Registry } from 'prom-client';
import type { Availability } from '../../inventory/inventory-api.js';
import { readSaleStats, type SaleStats } from './sale-stats.js';
import { readBackendHealth, type HealthSignals } from '../../admission/backend-health.js';
import { p99Since, snapshotHistograms, type HistogramSnapshot, type LatencyFigure } from './latency-p99.js';

export const EDGE_STALE_MS = 10_000;
const WINDOW_MS = 60_000;

export interface DashboardData {
  at: number;
  saleId: string;
  settings: SaleSettings;
  queue: { waiting: number; prequeue: number; connected: number; edges: number; joined: number };
  admission: {
    admittedTotal: number; perMin: number | null; ratePerMin: number; offersExpired: number;
    /** the rate in force (the setting, or less while backed off), and the signals breaching */
    effectiveRatePerMin: number; breaching: string[]; health: HealthSignals;
  };
  shoppers: { active: number; max: number };
  inventory: (Pick<Availability, 'status'> & { capacity: number; free: number; held: number; sold: number; remaining: number;
    sections: { name: string; capacity: number; free: number; held: number; sold: number; remaining: number }[] }) | null;
  sales: Pick<SaleStats, 'currency' | 'revenueMinor' | 'refundedMinor' | 'ticketsSold' | 'orders' | 'funnel'>;
  latencies: LatencyFigure[];
}

export interface DashboardReader {
  read(saleId: string): Promise<DashboardData>;
}

export interface DashboardDeps {
  pg: PgPool;
  redis: RedisClient;
  availability: (saleId: string) => Promise<Availability>;
  /** Where the latency histograms come from: every API process's (API_PROCESSES), summed. */
  registry: Pick<Registry, 'getMetricsAsJSON'>;
  /** the backend health hash (admission/backend-health.ts healthKeyOf) */
  healthKey: string;
  now?: () => number;
}

/** Connected fans: the sum over edges seen within the last 10 s (a dead edge's figure is stale). */
export function connectedFans(stats: Record<string, string>, nowMs: number): { connected: number; edges: number } {
  let connected = 0;
  let edges = 0;
  for (const [field, value] of Object.entries(stats)) {
    if (!field.startsWith('connected:')) continue;
    const seen = Number(stats[`seen:${field.slice('connected:'.length)}`] ?? 0);
    if (nowMs - seen > EDGE_STALE_MS) continue;
    connected += Number(value) || 0;
    edges++;
  }
  return { connected, edges };
}

export function createDashboardReader(deps: DashboardDeps): DashboardReader {
  const now = deps.now ?? Date.now;
  const admittedSamples = new Map<string, { t: number; admitted: number }[]>();
  const latencySamples: { t: number; snap: HistogramSnapshot }[] = [];

  function perMinute(saleId: string, t: number, admitted: number): number | null {
    const samples = (admittedSamples.get(saleId) ?? []).filter((s) => t - s.t <= WINDOW_MS);
    samples.push({ t, admitted });
    admittedSamples.set(saleId, samples);
    if (admittedSamples.size > 100) admittedSamples.delete(admittedSamples.keys().next().value as string);
    const first = samples[0]!;
    return t - first.t >= 2000 ? Math.round(((admitted - first.admitted) / (t - first.t)) * 60_000) : null;
  }

  async function latencies(t: number): Promise<LatencyFigure[]> {
    const snap = await snapshotHistograms(deps.registry);
    while (latencySamples.length > 1 && t - latencySamples[1]!.t >= WINDOW_MS) latencySamples.shift();
    const base = latencySamples[0];
    latencySamples.push({ t, snap });
    return p99Since(snap, base && t - base.t > 0 ? base.snap : undefined);
  }

  return {
    async read(saleId) {
      const t = now();
      const keys = queueKeys(saleId);
      // every key is in the sale's slot: one round trip, also on Redis Cluster
      const replies = await deps.redis.pipeline().hgetall(keys.stats).zcard(keys.waiting).zcard(keys.prequeue).zcount(keys.active, t, '+inf').get(keys.seq)
        .hmget(keys.bucket, 'eff_rate', 'breach').exec();
      const value = <T>(i: number): T => {
        const [err, v] = replies?.[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        return v as T;
      };
      const stats = value<Record<string, string>>(0);
      const [effRate, breach] = value<(string | null)[]>(5);
      const [settings, availability, sale, lat, health] = await Promise.all([
        readSaleSettings(deps.redis, saleId),
        deps.availability(saleId).catch(() => null),
        readSaleStats(deps.pg, deps.redis, saleId),
        latencies(t),
        readBackendHealth(deps.redis, deps.healthKey, t).catch(() => ({ signals: {} })),
      ]);
      const effective = effRate === null ? settings.ratePerMin : Math.min(settings.ratePerMin, Math.round(Number(effRate)));
      const admittedTotal = Number(stats.admitted ?? 0);
      const sections = availability?.sections.map((s) => ({ name: s.name, capacity: s.capacity, free: s.free, held: s.held + s.claimed, sold: s.sold, remaining: s.capacity - s.sold })) ?? [];
      const sum = (f: (s: (typeof sections)[number]) => number): number => sections.reduce((a, s) => a + f(s), 0);
      return {
        at: t,
        saleId,
        settings,
        queue: { waiting: value<number>(1), prequeue: value<number>(2), ...connectedFans(stats, t), joined: Number(value<string | null>(4) ?? 0) },
        admission: { admittedTotal, perMin: perMinute(saleId, t, admittedTotal), ratePerMin: settings.ratePerMin, offersExpired: Number(stats.offers_expired ?? 0),
          effectiveRatePerMin: effective, breaching: (breach ?? '').split(',').filter(Boolean), health: health.signals },
        shoppers: { active: value<number>(3), max: settings.maxActive },
        inventory: availability ? {
          status: availability.status, sections,
          capacity: sum((s) => s.capacity), free: sum((s) => s.free), held: sum((s) => s.held), sold: sum((s) => s.sold), remaining: sum((s) => s.remaining),
        } : null,
        sales: { currency: sale.currency, revenueMinor: sale.revenueMinor, refundedMinor: sale.refundedMinor, ticketsSold: sale.ticketsSold, orders: sale.orders, funnel: sale.funnel },
        latencies: lat,
      };
    },
  };
}
