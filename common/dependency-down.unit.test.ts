import { describe, it, expect } from 'vitest';
import { isDependencyDown } from './dependency-down.js';

const withCode = (code: string): Error => Object.assign(new Error('x'), { code });

describe('isDependencyDown', () => {
  it('knows connection failures of Redis and PostgreSQL', () => {
    expect(isDependencyDown(new Error('Reached the max retries per request limit (which is 3). Refer to "maxRetriesPerRequest" option for details.'))).toBe(true);
    expect(isDependencyDown(new Error('Connection is closed.'))).toBe(true);
    expect(isDependencyDown(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isDependencyDown(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDependencyDown(withCode('57P01'))).toBe(true); // terminating connection due to administrator command
    expect(isDependencyDown(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('is false for everything else, which stays a 500 and is logged', () => {
    expect(isDependencyDown(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isDependencyDown(withCode('23505'))).toBe(false); // unique violation
    expect(isDependencyDown(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isDependencyDown(undefined)).toBe(false);
  });
});
