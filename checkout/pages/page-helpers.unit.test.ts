/**
 * The pages' shared helpers (static/brand/common.js), run as the browser runs them (a plain
 * script that sets window.Usher) in a bare VM context: plurals, and the API's validation
 * failures turned into field messages in plain words.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { minorUnitDigits } from '../../common/money.js';

interface UsherHelpers {
  plural(n: number, one: string, many?: string): string;
  fieldErrors(p: unknown): { field: string; message: string }[];
  problemText(p: unknown, status?: number): string;
  minorDigits(currency: string): number;
  toMinor(amount: number | string, currency: string): number;
  breakdown(b: Record<string, unknown>): { key: string; label: string; text: string }[];
}

function helpers(): UsherHelpers {
  const window: { Usher?: UsherHelpers } = {};
  runInNewContext(readFileSync(new URL('./static/brand/common.js', import.meta.url), 'utf8'), { window, Intl });
  return window.Usher!;
}
const usher = helpers();

describe('page helpers', () => {
  it('counts in words: one, many, and irregular plurals', () => {
    expect(usher.plural(1, 'order')).toBe('1 order');
    expect(usher.plural(0, 'order')).toBe('0 orders');
    expect(usher.plural(2, 'ticket')).toBe('2 tickets');
    expect(usher.plural(1200, 'seat')).toBe('1,200 seats');
    expect(usher.plural(1, 'person', 'people')).toBe('1 person');
    expect(usher.plural(3, 'person', 'people')).toBe('3 people');
  });

  it('turns a validation problem into field messages a person would write', () => {
    // as the API answers today (accounts: body.password) and after the zod-openapi routes (password)
    for (const prefix of ['body.', '']) {
      const problem = {
        code: 'validation_failed', detail: 'invalid body: body.password: …',
        errors: [
          { path: `${prefix}email`, message: 'Invalid email address' },
          { path: `${prefix}password`, message: 'Too small: expected string to have >=10 characters' },
          { path: '', message: 'Unrecognized key: "extra"' },
        ],
      };
      expect(usher.fieldErrors(problem)).toEqual([
        { field: 'email', message: 'Enter an e-mail address like name@example.com.' },
        { field: 'password', message: 'Use at least 10 characters.' },
      ]);
      expect(usher.problemText(problem)).toBe('E-mail: Enter an e-mail address like name@example.com. Password: Use at least 10 characters.');
    }
    const say = (path: string, message: string): string => usher.fieldErrors({ errors: [{ path, message }] })[0]!.message;
    expect(say('password', 'use at least 10 characters')).toBe('Use at least 10 characters.');
    expect(say('email', 'Invalid input: expected string, received undefined')).toBe('Fill this in.');
    expect(say('text', 'Too small: expected string to have >=1 characters')).toBe('Fill this in.');
    expect(say('text', 'Too big: expected string to have <=500 characters')).toBe('Use at most 500 characters.');
    expect(say('ratePerMin', 'Too small: expected number to be >=1')).toBe('Use 1 or more.');
    expect(say('maxActive', 'Too big: expected number to be <=1000000')).toBe('Use 1,000,000 or fewer.');
    expect(say('quantity', 'Invalid input: expected int, received number')).toBe('Enter a whole number.');
    expect(usher.problemText({ errors: [{ path: 'ratePerMin', message: 'Too small: expected number to be >=1' }] })).toBe('Admission rate: Use 1 or more.');
  });

  it('keeps a problem without field errors to its detail, as a sentence', () => {
    expect(usher.problemText({ code: 'too_many_login_attempts', detail: 'too many failed attempts; try again in 30 s' })).toBe('Too many failed attempts; try again in 30 s.');
    expect(usher.problemText({}, 502)).toBe('Something went wrong (error 502). Try again.');
  });

  it("turns a typed price into the currency's minor unit by money.ts's rule, not by 100", () => {
    for (const c of ['EUR', 'GBP', 'USD', 'JPY', 'KRW', 'KWD', 'BHD']) expect(usher.minorDigits(c), c).toBe(minorUnitDigits(c));
    expect(usher.toMinor('80', 'EUR')).toBe(8000);
    expect(usher.toMinor(8000, 'JPY')).toBe(8000);
    expect(usher.toMinor(1.5, 'KWD')).toBe(1500);
    expect(usher.toMinor('12.345', 'EUR')).toBe(1235);
  });

  it('labels the breakdown in English where the page has no languages', () => {
    const rows = usher.breakdown({ currency: 'EUR', ticketCount: 2, ticketsMinor: 16_000, promoDiscountMinor: 1600, promoCode: 'DEMO10', serviceFeeMinor: 700, taxRateBps: 2100, taxInclusive: false, taxMinor: 3171, totalMinor: 18_271 });
    expect(rows.map((r) => r.label)).toEqual(['Tickets (2)', 'Promo code DEMO10', 'Service fee', 'Tax 21%', 'Total']);
  });
});
