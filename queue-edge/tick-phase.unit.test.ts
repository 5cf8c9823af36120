import { describe, expect, it, vi } from 'vitest';
import { everyTickSlot, nextTickDelayMs, tickPhaseFromEnv, tickPhaseMs } from './tick-phase.js';

describe('edge tick phases', () => {
  it('spreads the processes of one supervisor evenly over the period', () => {
    expect([0, 1, 2, 3, 4, 5].map((i) => tickPhaseMs(i, 6, 2000, 0))).toEqual([0, 333, 666, 1000, 1333, 1666]);
    expect([0, 1, 2].map((i) => tickPhaseMs(i, 3, 1000, 900))).toEqual([900, 233, 566]);
  });

  it('waits for the next slot of the phase, skipping one closer than a quarter period', () => {
    expect(nextTickDelayMs(10_000, 2000, 500)).toBe(500);
    expect(nextTickDelayMs(10_499, 2000, 500)).toBe(2001); // 1 ms before its slot: the one after
    expect(nextTickDelayMs(10_500, 2000, 500)).toBe(2000);
    expect(nextTickDelayMs(10_520, 2000, 500)).toBe(1980); // a timer 20 ms late keeps the slot
  });

  it('reads the phase its supervisor gave, and none otherwise', () => {
    expect(tickPhaseFromEnv({ USHER_EDGE_TICK_PHASE_MS: '333' })).toBe(333);
    expect(tickPhaseFromEnv({})).toBeUndefined();
    expect(tickPhaseFromEnv({ USHER_EDGE_TICK_PHASE_MS: 'x' })).toBeUndefined();
  });

  it('ticks on its slots until stopped', () => {
    // fake timers (Date too): a real clock on a loaded machine fires timers late by more than a slot
    vi.useFakeTimers({ now: 1_000_010 });
    try {
      const at: number[] = [];
      const period = 80;
      const phase = 40;
      const stop = everyTickSlot(period, phase, () => at.push(Date.now()));
      vi.advanceTimersByTime(period * 4);
      stop();
      const n = at.length;
      vi.advanceTimersByTime(period * 2);
      expect(at.length).toBe(n);
      expect(n).toBe(4);
      for (const t of at) expect(((t - phase) % period + period) % period).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
