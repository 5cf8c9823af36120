/**
 * p99 latencies for the dashboard from this process's prom-client histograms (any of our histograms in
 * seconds: HTTP, holds, commits, catalog). Buckets are summed over label sets and
 * differenced against a snapshot about a minute old, so the figure is recent, not since boot.
 */
import type { Registry } from 'prom-client';

/** le → cumulative count, per histogram name. */
export type HistogramSnapshot = Map<string, Map<number, number>>;

export interface LatencyFigure {
  metric: string;
  p99Ms: number | null;
  count: number;
}

const WATCHED = /^usher_[a-z_]+_seconds$/; // ours, not the runtime defaults (GC pauses)

export async function snapshotHistograms(registry: Pick<Registry, 'getMetricsAsJSON'>): Promise<HistogramSnapshot> {
  const out: HistogramSnapshot = new Map();
  for (const metric of await registry.getMetricsAsJSON()) {
    if (String(metric.type) !== 'histogram' || !WATCHED.test(metric.name)) continue;
    const buckets = new Map<number, number>();
    for (const v of metric.values as { metricName?: string; value: number; labels: Record<string, string | number> }[]) {
      if (v.metricName !== `${metric.name}_bucket`) continue;
      const le = v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + v.value);
    }
    out.set(metric.name, buckets);
  }
  return out;
}

/** The q-quantile of cumulative buckets, interpolated linearly inside its bucket (as Prometheus' histogram_quantile). */
export function quantile(q: number, buckets: Map<number, number>): number | null {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCum = 0;
  for (const [le, cum] of sorted) {
    if (cum >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCum) / Math.max(cum - prevCum, 1e-9));
    }
    prevLe = le;
    prevCum = cum;
  }
  return prevLe;
}

export function p99Since(now: HistogramSnapshot, before: HistogramSnapshot | undefined): LatencyFigure[] {
  return [...now].map(([metric, buckets]) => {
    const old = before?.get(metric);
    const delta = new Map([...buckets].map(([le, cum]) => [le, cum - (old?.get(le) ?? 0)]));
    const count = Math.max(...delta.values(), 0);
    const p = quantile(0.99, delta);
    return { metric, p99Ms: p === null ? null : Math.round(p * 1000 * 10) / 10, count };
  }).sort((a, b) => a.metric.localeCompare(b.metric));
}
