/** The health figures one process publishes, and how the edges combine every process's. */
import { describe, expect, it } from 'vitest';
import { MIN_REQUESTS_FOR_ERROR_RATE, RequestWindow, aggregateHealth, backoffArgument } from './backend-health.js';
import { loadConfig } from '../common/config.js';

describe('RequestWindow', () => {
  it('gives the p99 of holds and the 5xx count over the last window seconds only', () => {
    let now = 1_000_000;
    const w = new RequestWindow(2, () => now);
    for (let i = 1; i <= 100; i++) w.record(i / 1000, 201, true); // 1..100 ms
    w.record(0.5, 503, false);
    expect(w.figures()).toEqual({ holdP99Ms: 99, holds: 100, requests: 101, errors: 1 });
    now += 1000;
    w.record(0.001, 200, false);
    expect(w.figures().requests).toBe(102);
    now += 1000; // the first second left the window
    expect(w.figures()).toEqual({ holdP99Ms: null, holds: 0, requests: 1, errors: 0 });
  });

  it('counts a hold still in flight by its age, so an API whose holds hang does not look idle', () => {
    let now = 1_000_000;
    const w = new RequestWindow(2, () => now);
    const end = w.beginHold();
    now += 7000;
    expect(w.figures()).toMatchObject({ holdP99Ms: 7000, holds: 1 });
    end();
    expect(w.figures()).toMatchObject({ holdP99Ms: null, holds: 0 });
  });
});

describe('aggregateHealth', () => {
  const at = 50_000;
  const field = (h: object) => JSON.stringify({ at, ...h });

  it('takes the worst process hold p99, the largest commit backlog and the error rate of all requests together', () => {
    const { signals, processes } = aggregateHealth({
      'api-a': field({ holdP99Ms: 40, holds: 10, requests: 100, errors: 10 }),
      'api-b': field({ holdP99Ms: 900, holds: 5, requests: 100, errors: 0 }),
      'worker-a': field({ commitQueue: 12 }),
      'worker-b': field({ commitQueue: 30 }),
    }, at + 1000);
    expect(processes).toBe(4);
    expect(signals).toEqual({ hold_p99_ms: 900, commit_queue: 30, error_rate_pct: 5 });
  });

  it('ignores stale processes (and names the long-dead ones for deletion); too few requests is no error rate', () => {
    const r = aggregateHealth({
      fresh: field({ holdP99Ms: 10, holds: 1, requests: MIN_REQUESTS_FOR_ERROR_RATE - 1, errors: 5 }),
      stale: JSON.stringify({ at: at - 10_000, holdP99Ms: 5000, holds: 9 }),
      dead: JSON.stringify({ at: at - 120_000, commitQueue: 1e6 }),
      garbage: 'not json',
    }, at);
    expect(r.signals).toEqual({ hold_p99_ms: 10 });
    expect(r.stale.sort()).toEqual(['dead', 'garbage']);
  });

  it('a p99 with no holds behind it is no signal', () => {
    expect(aggregateHealth({ a: field({ holdP99Ms: 999, holds: 0 }) }, at).signals).toEqual({});
  });
});

describe('backoffArgument', () => {
  it('hands the Lua the signals and the deployment defaults, or nothing when the backoff is off', () => {
    const on = JSON.parse(backoffArgument(loadConfig({ NODE_ENV: 'test' }), { hold_p99_ms: 1 })) as Record<string, unknown>;
    expect(on).toEqual({ signals: { hold_p99_ms: 1 }, limits: { hold_p99_ms: 500, commit_queue: 2000, error_rate_pct: 5 }, step: 0.1, floor: 0.05, intervalMs: 1000 });
    expect(backoffArgument(loadConfig({ NODE_ENV: 'test', ADMISSION_BACKOFF: 'false' }), {})).toBe('');
  });
});
