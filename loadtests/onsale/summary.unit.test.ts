import { describe, expect, it } from 'vitest';
import { admissionRate, endpointFigures, peakPerSecond, timeToSellOut } from './summary.js';
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
    expect(f).toMatchObject({ requests: 6, ok: 3, client_errors: 1, server_errors: 1, transport_errors: 1, p50: 3, max: 100 });
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
