import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RUN_CAP } from './inventory-keys.js';
import { missingRunEntries } from './inventory-audit.js';

describe('free-run index rules', () => {
  it('uses the same cap in TypeScript and in runIndex.lua', () => {
    const lua = readFileSync(new URL('./lua/includes/runIndex.lua', import.meta.url), 'utf8');
    expect(Number(/local RUN_CAP, RUN_SPAN, ROW_SPAN, SECTION_SPAN = (\d+),/.exec(lua)?.[1])).toBe(RUN_CAP);
  });

  it('wants one entry per row and t up to its longest run, and allows extra ones', () => {
    // row 0: positions 1-3 free, 5 free; row 1 (base 10000): 1-2 free; section 1 row 0: 7 alone
    const free = [1, 2, 3, 5, 10_001, 10_002, 100_000_007];
    const all = new Set(['2000000000000', '3000000000000', '2000000010000']);
    expect(missingRunEntries(free, all)).toEqual([]);
    expect(missingRunEntries(free, new Set([...all, '9000000000000']))).toEqual([]);
    expect(missingRunEntries(free, new Set(['2000000000000', '2000000010000']))).toEqual(['a run of 3 in the row of score 0']);
    expect(missingRunEntries([10_001, 10_003], new Set())).toEqual([]);
  });

  it('caps a long row at RUN_CAP entries', () => {
    const row = Array.from({ length: 40 }, (_, j) => 20_000 + j + 1);
    const want = Array.from({ length: RUN_CAP - 1 }, (_, j) => String((j + 2) * 1e12 + 20_000));
    expect(missingRunEntries(row, new Set(want))).toEqual([]);
    expect(missingRunEntries(row, new Set(want.slice(1)))).toHaveLength(1);
  });
});
