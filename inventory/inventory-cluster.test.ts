/**
 * The inventory's core against a real 3-master Redis Cluster through the ioredis Cluster client:
 * every script runs on one slot (a cross-slot key would fail with CROSSSLOT), shards spread over
 * the nodes, and the concurrency properties hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { freshDatabase, type FreshDatabase } from '../test/support/databases.js';
import { insertLiveTickets, publishedSale } from '../test/support/inventory-fixture.js';
import { startRedisCluster, type LocalCluster } from '../test/support/redis-cluster.js';
import { createSeatInventory } from './seat-inventory.js';
import { shardKeys } from './inventory-keys.js';
import { InventoryError } from './inventory-errors.js';
import type { Hold } from './inventory-api.js';
import { registry } from '../common/metrics.js';
import { connectRedis } from '../common/redis-connection.js';

/** Hold steps sent in batches so far (hold-batcher.ts): the cluster routes a batch by its keys' one slot. */
async function batchedSteps(): Promise<number> {
  const metric = (await registry.getSingleMetric('usher_inventory_hold_batch_steps_total')?.get())?.values ?? [];
  return metric.filter((v) => v.labels.how === 'batched').reduce((a, v) => a + v.value, 0);
}

let cluster: LocalCluster;
let db: FreshDatabase;
/** clients 0 and 1 as the tests' helper makes them; 2 and 3 as the API and the worker do (connectRedis, auto-pipelined) */
const clients: Cluster[] = [];
beforeAll(async () => {
  [cluster, db] = await Promise.all([startRedisCluster(3), freshDatabase()]);
  const clusterNodes = cluster.nodes.map((n) => `${n.host}:${n.port}`);
  for (let j = 0; j < 2; j++) clients.push(cluster.client());
  for (let j = 0; j < 2; j++) clients.push(connectRedis({ redis: { url: '', password: undefined, clusterNodes } }, { autoPipelining: true }) as Cluster);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await cluster?.stop();
  await db?.drop();
});

describe('inventory on a 3-master Redis Cluster', () => {
  it('spreads a sale\'s shards over the nodes and runs the whole lifecycle', async () => {
    const s = await publishedSale(clients[0]!, db.pool, { rows: 6, seatsPerRow: 5, gaCapacity: 24, shardCount: 6 });
    const sale = s.sale.saleId;
    const masters = new Set<string>();
    for (let k = 0; k < 6; k++) {
      const slot = Number(await clients[0]!.call('CLUSTER', 'KEYSLOT', shardKeys(sale, k).meta));
      const owner = clients[0]!.slots[slot]?.[0];
      if (owner) masters.add(owner);
    }
    expect(masters.size).toBeGreaterThan(1);
    const inv = s.inventory;
    const h = await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2, together: true });
    await inv.extend(h.holdId);
    expect((await inv.claim(h.holdId, { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: 'EUR' })).outcome).toBe('claimed');
    await insertLiveTickets(db.pool, s.sale, h.holdId, h.items);
    await inv.finalize(h.holdId);
    // the first hold's shard depends on its random jti: pick a seat it did not take
    const freeSeat = s.seatIds.find((id) => !h.items.some((i) => i.seatId === id))!;
    const seat = await inv.hold(sale, randomUUID(), { kind: 'seats', seatIds: [freeSeat] });
    expect(await inv.release(seat.holdId)).toBe('released');
    const ga = await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'GA', quantity: 3 });
    expect((await inv.sweep(ga.deadlineMs, [sale])).expired).toBeGreaterThanOrEqual(1);
    expect((await inv.claim(ga.holdId, { items: ga.items, passJti: ga.passJti, amountMinor: ga.amountMinor, currency: 'EUR' })).outcome).toBe('reacquired');
    await inv.unclaim(ga.holdId);
    const a = await inv.availability(sale);
    expect(a.sections.map((x) => [x.free, x.sold])).toEqual([[28, 2], [24, 0]]);
    for (const node of cluster.nodes) {
      // NOSCRIPT path on every node
      await clients[0]!.nodes('master').find((n) => n.options.port === node.port)!.script('FLUSH');
    }
    expect((await inv.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 1 })).state).toBe('HELD');
    expect((await inv.audit(sale)).violations).toEqual([]);
  });

  it('claims and finalizes a batch spread over every shard in one call per shard, each on its shard\'s slot, also auto-pipelined', async () => {
    // the worker's client auto-pipelines: one shard's call must not ride in another slot's pipeline
    const s = await publishedSale(clients[3]!, db.pool, { rows: 6, seatsPerRow: 5, shardCount: 6 });
    const sale = s.sale.saleId;
    const holds: Hold[] = [];
    for (let i = 0; i < 10; i++) holds.push(await s.inventory.hold(sale, randomUUID(), { kind: 'best', tierCode: 'P1', quantity: 2 }));
    const claims = await s.inventory.claimMany(holds.map((h) => ({ holdId: h.holdId, expected: { items: h.items, passJti: h.passJti, amountMinor: h.amountMinor, currency: 'EUR' } })));
    for (const h of holds) {
      const c = claims.get(h.holdId);
      expect(c?.ok && c.value.outcome, h.holdId).toBe('claimed');
      await insertLiveTickets(db.pool, s.sale, h.holdId, h.items);
    }
    const done = await s.inventory.finalizeMany(holds.map((h) => h.holdId));
    for (const h of holds) expect(done.get(h.holdId), h.holdId).toEqual({ ok: true, value: undefined });
    expect((await s.inventory.availability(sale)).sections[0]).toMatchObject({ sold: 20, free: 10 });
    expect((await s.inventory.audit(sale)).violations).toEqual([]);
  });

  it('keeps one hold per pass and never oversells under concurrent clients', async () => {
    const s = await publishedSale(clients[0]!, db.pool, { rows: 5, seatsPerRow: 10, gaCapacity: 16, shardCount: 4, perFanLimit: 4 });
    const sale = s.sale.saleId;
    const invs = clients.map((redis) => createSeatInventory({ redis, pg: db.pool, availabilityCacheMs: 0 }));
    const holds: Hold[] = [];
    const batchedBefore = await batchedSteps();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async (_, w) => {
      while (next < 400) {
        const j = next++;
        const pass = randomUUID();
        const req = j % 3 === 0 ? { kind: 'best' as const, tierCode: 'GA', quantity: 1 + (j % 4) } : { kind: 'best' as const, tierCode: 'P1', quantity: 1 + (j % 4), together: j % 2 === 0 };
        const got = await Promise.allSettled([0, 1, 2].map((c) => invs[(w + c) % invs.length]!.hold(sale, pass, req)));
        const ok = got.flatMap((g) => (g.status === 'fulfilled' ? [g.value] : []));
        for (const g of got) if (g.status === 'rejected' && !(g.reason instanceof InventoryError)) throw g.reason;
        expect(new Set(ok.map((h) => h.holdId)).size).toBeLessThanOrEqual(1);
        if (ok[0]) {
          holds.push(ok[0]);
          if (j % 5 === 0) await invs[w % invs.length]!.release(ok[0].holdId);
        }
      }
    }));
    const report = await invs[0]!.audit(sale);
    expect(report.violations).toEqual([]);
    expect(report.totals.capacity).toBe(66);
    expect(report.totals.free + report.totals.held).toBe(66);
    expect(holds.length).toBeGreaterThan(10);
    expect(await batchedSteps()).toBeGreaterThan(batchedBefore + 50);
  });
});
