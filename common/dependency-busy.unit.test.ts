import { describe, expect, it } from 'vitest';
import { dependencyBusyReason, overloadedProblem } from './dependency-busy.js';
import { isDependencyDown } from './dependency-down.js';

describe('dependencyBusyReason', () => {
  it('knows the pool\'s wait for a free connection timing out, also wrapped', () => {
    expect(dependencyBusyReason(new Error('timeout exceeded when trying to connect'))).toBe('pg_pool');
    expect(dependencyBusyReason(new Error('commit failed', { cause: new Error('timeout exceeded when trying to connect') }))).toBe('pg_pool');
  });

  it('leaves outages to dependency-down: a new connection that cannot be made, a refused one', () => {
    const connecting = new Error('Connection terminated due to connection timeout');
    expect(dependencyBusyReason(connecting)).toBeUndefined();
    expect(isDependencyDown(connecting)).toBe(true);
    expect(dependencyBusyReason(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(dependencyBusyReason(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBeUndefined();
  });

  it('is answered 503 overloaded with a Retry-After and the reason in the problem body', () => {
    const p = overloadedProblem('pg_pool');
    expect(p.status).toBe(503);
    expect(p.retryAfterS).toBe(2);
    expect(p.body).toMatchObject({ type: 'https://usher.dev/problems/overloaded', code: 'overloaded', status: 503, reason: 'pg_pool', retryAfter: 2 });
  });
});
