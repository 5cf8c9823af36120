import { describe, expect, it } from 'vitest';
import { formatEventTime, formatMoney, minorUnitDigits, plural } from './money.js';

describe('money in minor units', () => {
  it('takes the decimals from the currency: cents, none for yen, three for dinars', () => {
    expect([minorUnitDigits('EUR'), minorUnitDigits('JPY'), minorUnitDigits('KWD')]).toEqual([2, 0, 3]);
    expect(formatMoney(12_345, 'EUR')).toBe('€123.45');
    expect(formatMoney(12_345, 'JPY')).toBe('JP¥12,345');
    expect(formatMoney(12_345, 'KWD').replace(/\s/g, ' ')).toBe('KWD 12.345'); // Intl puts a no-break space there
  });
});

describe('formatEventTime', () => {
  it('gives the minute, not the second, and names the zone', () => {
    expect(formatEventTime('2026-12-12T20:00:59Z')).toBe('Sat 12 Dec 2026, 20:00 UTC');
    expect(formatEventTime('2026-12-12T20:00:00Z', 'Europe/Paris')).toBe('Sat 12 Dec 2026, 21:00 Europe/Paris');
  });
});

describe('plural', () => {
  it('says 1 ticket and 2 tickets', () => {
    expect([plural(1, 'ticket'), plural(2, 'ticket'), plural(0, 'order')]).toEqual(['1 ticket', '2 tickets', '0 orders']);
  });
});
