/**
 * Faults with the commit worker as a separate process: killed between the Postgres commit and
 * finalize, and Postgres unreachable during the commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../../test/support/checkout-harness.js';
import { deliver, orderStatusOf, paymentStatusOf, startPurchase, until } from '../../../test/support/checkout-flow.js';
import { spawnCommitWorker } from '../../../test/support/checkout-worker-process.js';
import { commitJobId } from './commit-queue.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'stripe' });
});
afterAll(() => w.close());

async function admin(sql: string): Promise<void> {
  const url = new URL(w.db.url);
  url.pathname = '/postgres';
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe('commit worker faults', () => {
  it('killed between the Postgres commit and finalize, then restarted: one order, seats SOLD, captured once', async () => {
    const b = await startPurchase(w);
    w.stripe!.authorize(b.paymentIntentId);
    await deliver(w, 'payment_intent.amount_capturable_updated', b.paymentIntentId);

    const doomed = await spawnCommitWorker({ ...w.env, USHER_TEST_KILL_AT_FINALIZE: '1', USHER_TEST_LOCK_MS: '2000' });
    expect((await doomed.exited).signal).toBe('SIGKILL');
    expect(await orderStatusOf(w, b.holdId)).toBe('committed');
    expect((await w.deps.inventory.getHold(b.holdId))?.state).toBe('CLAIMED');

    const worker = await spawnCommitWorker({ ...w.env, USHER_TEST_LOCK_MS: '2000' });
    try {
      await until('order confirmed after restart', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed', 30_000);
    } finally {
      await worker.stop();
    }
    const orders = await w.ctx.pg.query('SELECT count(*)::int AS n FROM orders WHERE payment_intent_id = $1', [b.paymentIntentId]);
    expect(orders.rows[0].n).toBe(1);
    const tickets = await w.ctx.pg.query(`SELECT count(*)::int AS n FROM tickets WHERE order_id = $1 AND status = 'live'`, [b.holdId]);
    expect(tickets.rows[0].n).toBe(2);
    expect((await w.deps.inventory.getHold(b.holdId))?.state).toBe('SOLD');
    expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(1);
    expect((await paymentStatusOf(w, b.holdId))?.status).toBe('captured');
    const audit = await w.deps.inventory.audit(w.sale.saleId);
    expect(audit.violations).toEqual([]);
  });

  it('Postgres down during the commit: the API answers 503, the job is retried and completes once Postgres is back', async () => {
    const worker = await spawnCommitWorker(w.env);
    try {
      const b = await startPurchase(w);
      w.stripe!.authorize(b.paymentIntentId);
      await admin(`ALTER DATABASE ${w.db.name} ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${w.db.name}'`);
      try {
        // the API cannot reach Postgres: a precise 503, not a 500
        const down = await w.json('GET', `/v1/holds/${b.holdId}`, { token: b.pass.token });
        expect([down.status, down.body.code]).toEqual([503, 'dependency_down']);
        // the payment is authorized while Postgres is down: enqueue straight from the queue side
        await w.deps.commits.enqueue(b.holdId);
        const job = await until('a failed attempt', async () => {
          const j = await w.deps.commits.queue.getJob(commitJobId(b.holdId));
          return j && j.attemptsMade >= 1 ? j : undefined;
        });
        expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
      } finally {
        await admin(`ALTER DATABASE ${w.db.name} ALLOW_CONNECTIONS true`);
      }
      await until('order confirmed after Postgres returned', async () => (await orderStatusOf(w, b.holdId)) === 'confirmed', 40_000);
      expect(w.stripe!.count('capture', b.paymentIntentId)).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});
