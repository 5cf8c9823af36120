/**
 * The runbook's order after a PostgreSQL restore (k8s/README.md, "Restore PostgreSQL from a
 * backup"), with the commands it names: a restore to an earlier point forgets orders that Redis
 * still counts as SOLD, so `npm run audit` fails; `npm run inventory:rebuild` makes Redis follow the
 * restored record; the audit is clean again and a payment still in flight is settled at its claim.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { useFreshDatabaseAndRedis, redisUrl, type FreshDatabase } from '../test/support/databases.js';
import { insertLiveTickets, publishedSale } from '../test/support/inventory-fixture.js';
import { applySaleControl } from '../admission/sale-controls.js';

const run = promisify(execFile);
const root = path.join(import.meta.dirname, '..');
let db: FreshDatabase;
let redis: Redis;
useFreshDatabaseAndRedis((fresh, client) => ([db, redis] = [fresh, client]));

/** One of the repo's CLIs as the runbook runs it; its exit code and output. */
async function cli(script: string, saleId: string): Promise<{ code: number; out: string }> {
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: redisUrl(), DATABASE_URL: db.url };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), saleId], { cwd: root, env });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, out: e.stdout ?? '' };
  }
}

describe('after a PostgreSQL restore', () => {
  it('the audit fails until the inventory is rebuilt from the restored record; then it is clean', async () => {
    const s = await publishedSale(redis, db.pool, { rows: 4, seatsPerRow: 5, gaCapacity: 10, shardCount: 2 });
    const sale = s.sale.saleId;
    const inv = s.inventory;
    const sell = async (quantity: number) => {
      const h = await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity });
      await inv.claim(h.holdId, { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: 'EUR' });
      await insertLiveTickets(db.pool, s.sale, h.holdId, h.items);
      await inv.finalize(h.holdId);
      return h;
    };
    await sell(2); // in the backup
    const late = await sell(3); // committed after the recovery point: the restored record forgets it
    const paying = await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 });
    expect((await cli('audit-cli.ts', sale)).code).toBe(0);

    // what the restore does to the record: the late order and its tickets are gone
    await db.pool.query('DELETE FROM tickets WHERE order_id = $1', [late.holdId]);
    await db.pool.query('DELETE FROM orders WHERE id = $1', [late.holdId]);
    const before = await cli('audit-cli.ts', sale);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/VIOLATION/);

    // the runbook: admissions stopped, rebuild each live sale, audit, resume
    await applySaleControl(redis, sale, { action: 'pause' });
    const rebuilt = await cli('inventory-rebuild-cli.ts', sale);
    expect(rebuilt.code, rebuilt.out).toBe(0);
    expect(rebuilt.out).toMatch(/2 sold places/);
    const after = await cli('audit-cli.ts', sale);
    expect(after.code, after.out).toBe(0);
    expect(after.out).toMatch(/sold 2; live tickets 2/);
    // the late order's seats are on sale again; a payment in flight is settled when it is claimed
    expect((await inv.availability(sale)).sections.reduce((n, x) => n + x.free, 0)).toBe(28);
    const claimed = await inv.claim(paying.holdId, { items: paying.items, passJti: paying.passJti, amountMinor: paying.amountMinor, currency: 'EUR' });
    expect(['reacquired', 'claimed']).toContain(claimed.outcome);
    await applySaleControl(redis, sale, { action: 'resume' });
  }, 60_000);
});
