import { describe, it, expect } from 'vitest';
import { isDependencyDown } from './dependency-down.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('isDependencyDown', () => {
  it('knows connection failures of Redis and PostgreSQL', () => {
    expect(isDependencyDown(new Error('Reached the max retries per request limit (which is 3). Refer to "maxRetriesPerRequest" option for details.'))).toBe(true);
    expect(isDependencyDown(Object.assign(new Error('Reached the max retries per request limit (which is 0).'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isDependencyDown(new Error('Connection is closed.'))).toBe(true);
    expect(isDependencyDown(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isDependencyDown(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isDependencyDown(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDependencyDown(withCode('57P01'))).toBe(true); // terminating connection due to administrator command
    expect(isDependencyDown(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('knows a Redis that answers but cannot serve: out of memory, read-only replica, busy script', () => {
    expect(isDependencyDown(new Error("OOM command not allowed when used memory > 'maxmemory'."))).toBe(true);
    expect(isDependencyDown(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(isDependencyDown(new Error('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.'))).toBe(true);
  });

  it('knows PostgreSQL refusing service: connection classes 08 and 53, shutdown, read-only', () => {
    for (const code of ['08000', '08001', '08003', '08004', '08006', '08P01', '53000', '53100', '53200', '53300', '57P01', '57P02', '57P03', '25006']) {
      expect(isDependencyDown(withCode(code)), code).toBe(true);
    }
  });

  it('looks through a wrapper to the outage it carries', () => {
    expect(isDependencyDown(new Error('job failed', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isDependencyDown(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'))).toBe(true);
  });

  it('is false for everything else, which stays a 500 and is logged', () => {
    expect(isDependencyDown(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isDependencyDown(new Error('BUSYGROUP Consumer Group name already exists'))).toBe(false);
    expect(isDependencyDown(withCode('23505'))).toBe(false); // unique violation
    expect(isDependencyDown(withCode('22P02'))).toBe(false); // invalid text representation: our bug, not an outage
    expect(isDependencyDown(withCode('25P02'))).toBe(false); // in failed transaction
    expect(isDependencyDown(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isDependencyDown(undefined)).toBe(false);
  });
});
