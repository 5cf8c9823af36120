import { describe, expect, it } from 'vitest';
import { admissionRate, endpointFigures, peakPerSecond, serverErrorBreakdown, timeToSellOut } from './summary.js';
import { MeterTotals, RequestMeter, problemKind } from './request-meter.js';
import { countLogErrors } from './role-log-errors.js';
import { onsaleStages, splitRate } from './browse-plan.js';
import { saleSpecFor } from './sale-setup.js';
import { POSITION_PREFIX } from './fan-messages.js';
import { encode } from '../../queue-edge/edge-protocol.js';
import type { Sample } from './timeline.js';

const base: Sample = { t: 0, at: 0, waiting: 1000, prequeue: 0, active: 0, offers: 0, admitted: 0, free: 100, held: 0, claimed: 0, sold: 0, orders: 0, rps: 0, connected: 0, p50: 0, p95: 0, p99: 0 };

describe('admissionRate', () => {
  it('fits the slope of the admitted counter over the unconstrained stretch only', () => {
    // 50/s in bursts at each 1 s tick, sampled every 1.1 s; then the seats run out and admissions stop
    const samples: Sample[] = [];
    for (let i = 0; i < 40; i++) {
      const at = i * 1100;
      samples.push({ ...base, at, t: at / 1000, admitted: Math.floor(at / 1000) * 50, free: i < 30 ? 100 : 0 });
    }
    const r = admissionRate(samples, 3000, 1000)!;
    expect(r.measuredPerMin).toBeGreaterThan(2950);
    expect(r.measuredPerMin).toBeLessThan(3050);
    expect(r.windowS).toBeCloseTo(28 * 1.1, 1); // samples 1..29: from the first admission to the last with a free seat
  });

  it('is null without admissions or with too short a window', () => {
    expect(admissionRate([base, base], 60, 10)).toBeNull();
    expect(admissionRate([{ ...base, admitted: 1 }, { ...base, admitted: 2, waiting: 0 }], 60, 10)).toBeNull();
  });
});

describe('run figures', () => {
  it('peak counts whole seconds only, never the one still running', () => {
    expect(peakPerSecond(new Map([[10, 1500], [11, 2100], [12, 9999]]), 12)).toEqual({ peak: 2100, at: 11 });
  });

  it('time to sell out is from the opening', () => {
    expect(timeToSellOut([{ ...base, t: -5, sold: 10 }, { ...base, t: 3, sold: 40 }, { ...base, t: 7, sold: 50 }], 50)).toBe(7);
    expect(timeToSellOut([{ ...base, t: 3, sold: 40 }], 50)).toBeNull();
  });

  it('endpoint figures split statuses and keep transport failures out of the percentiles', () => {
    const f = endpointFigures({ hold: { '201': 3, '409': 1, '0': 1, '503': 1 } }, { hold: [1, 2, 3, 4, 100] })['hold']!;
    expect(f).toMatchObject({ requests: 6, ok: 3, client_errors: 1, server_errors: 1, transport_errors: 1, p50: 3, max: 100, wire_p99: null });
  });
});

describe('5xx breakdown', () => {
  it('counts every answer ≥ 400 by route and problem kind, merged across generator processes', () => {
    const a = new RequestMeter();
    const b = new RequestMeter();
    a.record('checkout', 503, 5, problemKind(503, 'overloaded', true));
    a.record('checkout', 503, 5, problemKind(503, 'dependency_down', false));
    b.record('checkout', 503, 5, problemKind(503, 'overloaded', true));
    b.record('checkout', 200, 5);
    b.record('hold', 500, 5); // no body read: the status alone
    const totals = new MeterTotals();
    totals.add(a.take());
    totals.add(b.take());
    expect(totals.problems).toEqual({ checkout: { '503 overloaded retry-after': 2, '503 dependency_down': 1 }, hold: { '500 -': 1 } });
    expect(serverErrorBreakdown(totals.problems)).toEqual([
      { route: 'checkout', kind: '503 overloaded retry-after', count: 2, shedding: true },
      { route: 'checkout', kind: '503 dependency_down', count: 1, shedding: false },
      { route: 'hold', kind: '500 -', count: 1, shedding: false },
    ]);
  });

  it('keeps the time from a connected socket apart: what the generator\'s own queue added shows', () => {
    const m = new RequestMeter();
    for (let i = 0; i < 100; i++) m.record('hold', 201, 1000 + i, undefined, 10);
    const totals = new MeterTotals();
    totals.add(m.take());
    const f = endpointFigures(totals.statuses, totals.latencies, totals.problems, totals.wire)['hold']!;
    expect(f.p99).toBeGreaterThanOrEqual(1000);
    expect(f.wire_p99).toBe(10);
  });

  it('shedding (503 overloaded with Retry-After) is counted apart from server errors, an outage\'s 503 is not shedding', () => {
    const f = endpointFigures({ checkout: { '200': 5, '503': 4, '500': 1 } }, { checkout: [1] }, { checkout: { '503 overloaded retry-after': 2, '503 dependency_down retry-after': 1, '503 dependency_down': 1, '500 internal': 1 } })['checkout']!;
    expect(f).toMatchObject({ requests: 10, ok: 5, server_errors: 3, shed: 2 });
  });

  it('groups the role logs\' warnings and errors by message and error, numbers blanked', () => {
    const lines = [
      { level: 'info', msg: 'ready' },
      { level: 'warn', msg: 'answered with a server error', err: { type: 'Error', message: 'timeout exceeded when trying to connect' }, time: 't1' },
      { level: 'warn', msg: 'answered with a server error', err: { type: 'Error', message: 'timeout exceeded when trying to connect' }, time: 't2' },
      { level: 'error', msg: 'unhandled error', err: { type: 'TypeError', message: 'hold 3f9a0c11de of 12 items' } },
    ].map((l) => JSON.stringify(l)).join('\n');
    expect(countLogErrors(`${lines}\nnot json`)).toEqual([
      { level: 'warn', what: 'answered with a server error | Error | timeout exceeded when trying to connect', count: 2, first: 't1' },
      { level: 'error', what: 'unhandled error | TypeError | hold # of # items', count: 1, first: '' },
    ]);
  });
});

describe('plans', () => {
  it('a venue of exactly the asked number of places', () => {
    for (const seats of [25, 200, 500, 5000, 12_345]) {
      const spec = saleSpecFor({ seats, openInS: 10, ratePerMin: 60, maxActive: 10, holdSeconds: 60 }, 'k');
      const total = spec.sections.reduce((a, s) => a + (s.kind === 'ga' ? s.capacity : s.rows * s.seatsPerRow), 0);
      expect(total).toBe(seats);
    }
  });

  it('the browsing load ramps to the peak and splits it by the shared mix', () => {
    const stages = onsaleStages(2000, 20, 60);
    expect(Math.max(...stages.map((s) => s.rps))).toBe(2000);
    expect(stages.find((s) => s.rps === 2000)?.durationS).toBe(60);
    const split = splitRate(2000);
    expect(split.reduce((a, s) => a + s.rps, 0)).toBeCloseTo(2000, -1);
    expect(split.map((s) => s.route).sort()).toEqual(['availability', 'eventDetail', 'eventSearch', 'queueStatus']);
  });

  it('fans recognise the edge position broadcast by its prefix', () => {
    const text = encode({ v: 1, type: 'position', state: 'open', serving: 1, waiting: 2, ratePerMin: 60, measuredPerMin: null, opensAt: 0, seed: '', message: '', mode: 'fifo', nextDrawAt: null, at: 5 });
    expect(text.startsWith(POSITION_PREFIX)).toBe(true);
  });
});
