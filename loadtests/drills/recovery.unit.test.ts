import { describe, expect, it } from 'vitest';
import { firstAfter, longestPause } from './recovery.js';

describe('drill recovery figures', () => {
  it('first event at or after a time', () => {
    expect(firstAfter([100, 200, 350], 200)).toBe(0);
    expect(firstAfter([100, 200, 350], 201)).toBe(149);
    expect(firstAfter([100], 101)).toBeNull();
  });

  it('the pause runs from the last event before the fault to the first after the restore', () => {
    expect(longestPause([100, 900, 1000, 5200, 5300], 1500, 5000)).toBe(4200);
    expect(longestPause([5200], 1500, 5000)).toBe(3700);
    expect(longestPause([100, 900], 1500, 5000)).toBeNull();
  });
});
