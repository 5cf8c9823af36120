import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram, type Aggregator } from 'prom-client';

/**
 * The process-wide Prometheus registry. Every module registers its own metrics here with
 * `counter()`, `gauge()` or `histogram()`; asking twice for one name returns the same metric, so
 * a module may be loaded by several roles in the `all` process.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

type Labels<L extends string> = readonly L[];

export function counter<L extends string = never>(name: string, help: string, labelNames: Labels<L> = []): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

/**
 * `aggregator`: how /metrics combines this gauge over processes sharing a port
 * (process-group-metrics.ts). 'sum' (the default) for a per-process figure (its connections);
 * 'max' for a figure every process reads from the same shared source (a sale-wide count from
 * Redis), which summing would multiply by the process count.
 */
export function gauge<L extends string = never>(name: string, help: string, labelNames: Labels<L> = [], aggregator: Aggregator = 'sum'): Gauge<L> {
  return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, aggregator, registers: [registry] });
}

export function histogram<L extends string = never>(
  name: string,
  help: string,
  labelNames: Labels<L> = [],
  buckets: number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
): Histogram<L> {
  return (registry.getSingleMetric(name) as Histogram<L> | undefined) ?? new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
