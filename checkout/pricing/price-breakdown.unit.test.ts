import { describe, expect, it } from 'vitest';
import { breakdownLines, mulDivRoundHalfUp, priceBreakdown, type EventPricing } from './price-breakdown.js';

const eur: EventPricing = { currency: 'EUR', feeFixedMinor: 150, feePercentBps: 250, taxRateBps: 2000, taxInclusive: false };
const t = (priceMinor: number, tierCode = 'STD') => ({ tierCode, priceMinor });

describe('mulDivRoundHalfUp', () => {
  it('rounds half up, exactly, and refuses non-integers', () => {
    expect(mulDivRoundHalfUp(5, 1, 2)).toBe(3);
    expect(mulDivRoundHalfUp(4, 1, 2)).toBe(2);
    expect(mulDivRoundHalfUp(1, 1, 3)).toBe(0);
    expect(mulDivRoundHalfUp(2, 1, 3)).toBe(1);
    expect(mulDivRoundHalfUp(9_007_199_254_740_991, 10_000, 10_000)).toBe(9_007_199_254_740_991);
    expect(() => mulDivRoundHalfUp(1.5, 1, 1)).toThrow(RangeError);
    expect(() => mulDivRoundHalfUp(-1, 1, 1)).toThrow(RangeError);
  });
});

describe('priceBreakdown', () => {
  it('EUR, exclusive tax: fee per ticket, percent promo on its tiers, points, tax on the net', () => {
    const b = priceBreakdown([t(8000), t(8000), t(4500, 'BAL')], eur, { code: 'SPRING', kind: 'percent', value: 1000, tierCodes: ['STD'] }, 500);
    expect(b.ticketsMinor).toBe(20_500);
    // fee: 3 × 150 + 2.5% of 8000 (200) × 2 + 2.5% of 4500 (112.5 → 113)
    expect(b.serviceFeeMinor).toBe(450 + 400 + 113);
    expect(b.promoDiscountMinor).toBe(1600); // 10% of the two STD tickets only
    expect(b.pointsDiscountMinor).toBe(500);
    const net = 20_500 - 1600 - 500 + 963;
    expect(b.taxMinor).toBe(Math.round(net * 0.2)); // 3872.6 → 3873
    expect(b.taxMinor).toBe(3873);
    expect(b.totalMinor).toBe(net + 3873);
  });

  it('inclusive tax is carved out of the total, not added', () => {
    const b = priceBreakdown([t(1000)], { ...eur, feeFixedMinor: 0, feePercentBps: 0, taxInclusive: true });
    expect(b.totalMinor).toBe(1000);
    expect(b.taxMinor).toBe(1000 - 833); // 1000 / 1.2 = 833.33 → 833
  });

  it('JPY has no minor unit: integers throughout, shown without decimals', () => {
    const jpy: EventPricing = { currency: 'JPY', feeFixedMinor: 330, feePercentBps: 300, taxRateBps: 1000, taxInclusive: true };
    const b = priceBreakdown([t(12_345), t(12_345)], jpy, { code: 'YEN', kind: 'fixed', value: 1000, tierCodes: [] }, 99);
    expect(b.serviceFeeMinor).toBe(2 * (330 + 370)); // 3% of 12345 = 370.35 → 370
    expect(b.totalMinor).toBe(24_690 - 1000 - 99 + 1400);
    for (const v of [b.taxMinor, b.totalMinor, b.serviceFeeMinor]) expect(Number.isInteger(v)).toBe(true);
    const lines = breakdownLines(b);
    expect(lines.at(-1)).toMatchObject({ key: 'total', text: 'JP¥24,991' });
    expect(lines.find((l) => l.key === 'promo')?.text).toBe('−JP¥1,000');
    expect(lines.find((l) => l.key === 'tax')?.label).toBe('Tax 10% (included)');
  });

  it('BHD has three decimals', () => {
    const bhd: EventPricing = { currency: 'BHD', feeFixedMinor: 250, feePercentBps: 0, taxRateBps: 1000, taxInclusive: false };
    const b = priceBreakdown([t(15_500)], bhd);
    expect(b.totalMinor).toBe(15_750 + 1575);
    expect(breakdownLines(b).at(-1)?.text.replace(/\s/g, ' ')).toBe('BHD 17.325');
  });

  it('discounts never go below zero and never touch the fee', () => {
    const b = priceBreakdown([t(500)], { ...eur, taxRateBps: 0 }, { code: 'BIG', kind: 'fixed', value: 10_000, tierCodes: [] }, 10_000);
    expect(b.promoDiscountMinor).toBe(500);
    expect(b.pointsDiscountMinor).toBe(0);
    expect(b.pointsSpent).toBe(0);
    expect(b.totalMinor).toBe(150 + 13);
  });

  it('a 100% code, no fee, no tax: total 0', () => {
    const b = priceBreakdown([t(500)], { currency: 'EUR', feeFixedMinor: 0, feePercentBps: 0, taxRateBps: 0, taxInclusive: false }, { code: 'FREE', kind: 'percent', value: 10_000, tierCodes: [] });
    expect(b.totalMinor).toBe(0);
  });

  it('the total always equals the sum of its lines (exclusive) or tickets − discounts + fee (inclusive)', () => {
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed % n; };
    for (let k = 0; k < 2000; k++) {
      const items = Array.from({ length: 1 + rnd(6) }, () => t(rnd(100_000), rnd(2) ? 'A' : 'B'));
      const pricing: EventPricing = { currency: 'EUR', feeFixedMinor: rnd(500), feePercentBps: rnd(1500), taxRateBps: rnd(2500), taxInclusive: rnd(2) === 1 };
      const b = priceBreakdown(items, pricing, rnd(2) ? { code: 'X', kind: rnd(2) ? 'percent' : 'fixed', value: rnd(10_001), tierCodes: rnd(2) ? ['A'] : [] } : null, rnd(5000));
      const net = b.ticketsMinor - b.promoDiscountMinor - b.pointsDiscountMinor + b.serviceFeeMinor;
      expect(b.totalMinor).toBe(pricing.taxInclusive ? net : net + b.taxMinor);
      expect(b.totalMinor).toBeGreaterThanOrEqual(0);
      expect(b.taxMinor).toBeGreaterThanOrEqual(0);
    }
  });
});
