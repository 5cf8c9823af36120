import { describe, it, expect } from 'vitest';
import { LatencySamples } from './percentiles.js';

describe('LatencySamples', () => {
  it('uses the nearest-rank definition', () => {
    const s = new LatencySamples();
    for (let i = 100; i >= 1; i--) s.add(i);
    expect(s.percentile(50)).toBe(50);
    expect(s.percentile(99)).toBe(99);
    expect(s.percentile(100)).toBe(100);
    s.add(1000);
    expect(s.percentile(100)).toBe(1000);
    expect(s.summary().count).toBe(101);
  });

  it('is NaN with no samples rather than a made-up zero', () => {
    expect(new LatencySamples().percentile(99)).toBeNaN();
  });
});
