import { describe, expect, it } from 'vitest';
import { planSale } from './shard-plan.js';
import type { SaleSource } from './sale-source.js';

function source(shards: number, rows: number[], ga = 0): SaleSource {
  let id = 1;
  const seats: SaleSource['seats'] = [];
  rows.forEach((n, r) => {
    for (let p = 1; p <= n; p++) seats.push({ id: id++, sectionId: 'A', rowLabel: `R${r}`, number: p, position: p, tierCode: 'P1' });
  });
  return {
    sale: { saleId: 's', eventId: 'e', status: 'open', holdSeconds: 60, graceSeconds: 30, perFanLimit: 6, shardCount: shards, opensMs: 0, closesMs: 1, currency: 'EUR' },
    sections: [
      { id: 'A', name: 'Block A', kind: 'reserved', tierCode: 'P1', capacity: seats.length },
      ...(ga > 0 ? [{ id: 'G', name: 'Floor', kind: 'ga' as const, tierCode: 'GA', capacity: ga }] : []),
    ],
    seats,
    tiers: [{ code: 'P1', name: 'P', priceMinor: 100 }, { code: 'GA', name: 'G', priceMinor: 50 }],
  };
}

describe('shard plan', () => {
  it('keeps each row on one shard and balances seat counts', () => {
    const plan = planSale(source(3, [10, 10, 10, 10, 10, 10, 4, 4, 4]));
    const rowShards = new Map<string, Set<number>>();
    plan.shards.forEach((spec, k) => {
      for (const [, info] of spec.seats) {
        const row = info.split('|')[3]!;
        rowShards.set(row, (rowShards.get(row) ?? new Set()).add(k));
      }
    });
    for (const shards of rowShards.values()) expect(shards.size).toBe(1);
    const sizes = plan.shards.map((s) => s.seats.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(10);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(72);
  });

  it('splits general admission evenly and is deterministic', () => {
    const a = planSale(source(4, [5], 10));
    expect(a.layout.sections.find((s) => s.id === 'G')!.perShard).toEqual([3, 3, 2, 2]);
    expect(JSON.stringify(planSale(source(4, [5], 10)))).toBe(JSON.stringify(a));
  });

  it('gives adjacent seats of a row consecutive scores, and rows distinct ranges', () => {
    const plan = planSale(source(1, [3, 3]));
    const scores = plan.shards[0]!.seats.map((s) => s[3]);
    expect(scores[1]! - scores[0]!).toBe(1);
    expect(scores[4]! - scores[3]!).toBe(1);
    // the last seat of row 0 and the first of row 1 are not adjacent
    expect(scores[3]! - scores[2]!).toBeGreaterThan(1);
  });
});
