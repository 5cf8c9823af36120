/** The run's HTML page: the summary and charts over time, drawn by loadtests/lib/report-html.ts. */
import { renderReport, type Chart } from '../lib/report-html.js';
import type { Sample } from './timeline.js';

const series = (samples: Sample[], name: string, f: (s: Sample, i: number) => number) => ({ name, points: samples.map((s, i) => [s.t, f(s, i)] as [number, number]) });

/** Fans admitted in each sample interval, per second (from the cumulative counter). */
function admissionsPerS(samples: Sample[]) {
  return series(samples, 'admitted per s', (s, i) => {
    const prev = samples[i - 1];
    return prev ? ((s.admitted - prev.admitted) * 1000) / Math.max(1, s.at - prev.at) : 0;
  });
}

export function onsaleCharts(samples: Sample[], ratePerMin: number): Chart[] {
  return [
    { title: 'Queue', unit: 'fans', series: [series(samples, 'waiting', (s) => s.waiting), series(samples, 'pre-queue', (s) => s.prequeue), series(samples, 'connected sockets', (s) => s.connected)] },
    { title: 'Admission rate', unit: 'fans/s', series: [admissionsPerS(samples), series(samples, 'setting', () => ratePerMin / 60)] },
    { title: 'Shoppers', unit: 'fans', series: [series(samples, 'active passes', (s) => s.active), series(samples, 'open offers', (s) => s.offers)] },
    { title: 'Holds', unit: 'places', series: [series(samples, 'held', (s) => s.held), series(samples, 'claimed', (s) => s.claimed), series(samples, 'free', (s) => s.free)] },
    { title: 'Sales', unit: 'count', series: [series(samples, 'places sold', (s) => s.sold), series(samples, 'orders', (s) => s.orders)] },
    { title: 'HTTP requests', unit: 'req/s', series: [series(samples, 'responses per s (all generators)', (s) => s.rps)] },
    { title: 'HTTP latency (exact, per interval)', unit: 'ms', series: [series(samples, 'p50', (s) => s.p50), series(samples, 'p95', (s) => s.p95), series(samples, 'p99', (s) => s.p99)] },
  ];
}

export function onsaleHtml(title: string, subtitle: string, summary: Record<string, string | number | boolean>, samples: Sample[], ratePerMin: number): string {
  return renderReport({ title, subtitle, summary, charts: onsaleCharts(samples, ratePerMin) });
}
