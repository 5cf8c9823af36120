/**
 * The drills of `npm run drill`, CI-sized: one stack (private Redis and PostgreSQL, each role its
 * own process, two edge processes), one small sale per drill (200 fans, 50 seats), each fault
 * mid-sale. Every drill must end with nothing lost (audit of Redis against PostgreSQL, every
 * payment against its order) and the sale moving again promptly after the fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../onsale/stack.js';
import { runDrill, type DrillResult, type DrillSettings } from './run-drill.js';
import { DRILL_ROLE_ENV } from './drill-env.js';
import type { DrillName } from './faults.js';

const TICK_MS = 1000;
const settings: DrillSettings = {
  fans: 200, seats: 50, ratePerMin: 120, connectPerS: 200, pay: 0.9,
  triggerSoldShare: 0.1, triggerAfterS: 15, afterRestoreS: 2, maxS: 60, settleS: 30,
  fault: { postgresDownMs: 4000, redisDownMs: 2000, redisSignal: 'SIGTERM' },
};

let stack: Stack;
const log = (line: string): void => void process.stderr.write(`[drill] ${line}\n`);
beforeAll(async () => {
  stack = await startStack({ edgeProcesses: 2, tickMs: TICK_MS, log, keepData: false, env: { ...DRILL_ROLE_ENV, LOG_LEVEL: 'warn' } });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
}, 60_000);

async function drill(name: DrillName): Promise<DrillResult> {
  const r = await runDrill(stack, name, settings, log);
  log(`${name}: ${JSON.stringify(r.recovery)} problems=${JSON.stringify(r.problems)}`);
  expect(r.problems).toEqual([]);
  expect(r.invariants).toMatchObject({ oversold: 0, double_sold: 0, lost_paid_holds: 0, charged_without_ticket: 0, sold_matches_live_tickets: true });
  expect(r.audit.ok).toBe(true);
  expect(r.invariants.orders).toBeGreaterThan(0);
  // the sale moved again after the fault: a hold and a commit came once it was mended
  expect(r.recovery.first_hold_after_restore_ms).not.toBeNull();
  expect(r.recovery.first_commit_after_restore_ms).not.toBeNull();
  return r;
}

describe('drills (CI-sized)', () => {
  it('worker SIGKILLed mid-sale: restarted, in-flight commits finish, nothing lost', async () => {
    const r = await drill('worker-kill');
    // a dead worker's jobs come back once their lock lapses and a stalled check runs (10 s + 5 s,
    // plus a loaded machine's slack; BullMQ's defaults, 30 s + 30 s, took 30 to 60 s)
    if (r.recovery.inflight_commits) expect(r.recovery.inflight_commits_done_ms).toBeLessThan(25_000);
  }, 90_000);

  it('Redis restarted on its AOF mid-sale: holds and commits resume within a tick of Redis answering', async () => {
    const r = await drill('redis-restart');
    // a tick, plus the loaded machine's slack for an offer, a take and the hold request
    expect(r.recovery.first_hold_after_restore_ms).toBeLessThan(TICK_MS + 1000);
    expect(r.recovery.first_commit_after_restore_ms).toBeLessThan(TICK_MS + 2000);
  }, 90_000);

  it('PostgreSQL stopped for seconds mid-sale: commits resume once it answers, nothing lost', async () => {
    const r = await drill('postgres-stop');
    expect(r.recovery.first_commit_after_restore_ms).toBeLessThan(5000);
  }, 90_000);

  it('one of two edge processes SIGKILLed with fans on it: they reconnect to the other and keep their place', async () => {
    const r = await drill('edge-kill');
    expect(r.fans_saw.unexpected_closes).toBeGreaterThan(0);
    expect(r.recovery.fans_reconnected).toBeGreaterThan(0);
    expect(r.recovery.places_lost).toBe(0);
    expect(r.recovery.places_kept).toBeGreaterThan(0);
  }, 90_000);
});
