import { describe, expect, it } from 'vitest';
import { toProblem } from './domain-problems.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('toProblem and outages', () => {
  it('maps every kind of Redis and PostgreSQL outage to 503 dependency_down', () => {
    const outages = [
      new Error("OOM command not allowed when used memory > 'maxmemory'."),
      new Error("READONLY You can't write against a read only replica."),
      new Error('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.'),
      Object.assign(new Error('Reached the max retries per request limit (which is 0).'), { name: 'MaxRetriesPerRequestError' }),
      new Error('Connection is closed.'),
      withCode('ECONNREFUSED'), withCode('57P01'), withCode('57P03'), withCode('08006'), withCode('53300'), withCode('25006'),
    ];
    for (const err of outages) expect(toProblem(err)?.body, err.message).toMatchObject({ status: 503, code: 'dependency_down' });
  });

  it('leaves other errors to the boundary (a logged 500)', () => {
    expect(toProblem(withCode('23505'))).toBeUndefined();
    expect(toProblem(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBeUndefined();
  });
});
