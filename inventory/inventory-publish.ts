/**
 * Publish: the sale's seat map from Postgres becomes S shard pools (shard-plan.ts), each written
 * by one idempotent script, then the layout and the seat → shard map, then the sweeper's registry.
 * Rebuild: after a Redis loss, the same pools minus the live tickets (state SOLD, with their hold
 * records recreated from the orders), so the audit holds again and finalize/restock keep working.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import { fixedShardKeys, registryKey, saleKeys, shardKeys } from './inventory-keys.js';
import { planSale, type SalePlan, type SoldOverlay } from './shard-plan.js';
import { readLiveTickets, readSaleSource, type LiveTicket } from './sale-source.js';
import { parseHoldId } from './hold-id.js';
import type { StoredItem } from './hold-record.js';

export interface PublishResult {
  shards: number;
  capacity: number;
  alreadyPublished: boolean;
}

async function writePlan(redis: RedisClient, plan: SalePlan): Promise<PublishResult> {
  const { layout } = plan;
  let written = 0;
  // the seat-state version starts at the publish time: a rebuilt shard never repeats a version a
  // browser or an API process still has (inventory-seat-states.ts)
  const ver = String(Date.now());
  for (const [shard, spec] of plan.shards.entries()) {
    const k = shardKeys(layout.saleId, shard);
    written += await redis.usherInvPublishShard(k.meta, k.seats, k.state, k.free, k.counts, k.runs, JSON.stringify({ ...spec, counts: [...spec.counts, 'ver', ver] }));
  }
  const sk = saleKeys(layout.saleId);
  const pairs = [...plan.seatShard].flatMap(([seat, shard]) => [String(seat), String(shard)]);
  for (let j = 0; j < pairs.length; j += 2000) await redis.hset(sk.seatShard, ...pairs.slice(j, j + 2000));
  await redis.set(sk.layout, JSON.stringify(layout));
  await redis.hset(registryKey, layout.saleId, String(layout.shards));
  return { shards: layout.shards, capacity: layout.sections.reduce((a, s) => a + s.capacity, 0), alreadyPublished: written === 0 };
}

export async function publishSale(redis: RedisClient, pg: PgPool, saleId: string): Promise<PublishResult> {
  return writePlan(redis, planSale(await readSaleSource(pg, saleId)));
}

/** The hold (jti, shard) a ticket belongs to: its order id is the hold id when checkout made it. */
function holdOf(ticket: LiveTicket, shards: number): { jti: string; shard: number | undefined } {
  try {
    const at = parseHoldId(ticket.orderId);
    return { jti: at.jti, shard: at.shard < shards ? at.shard : undefined };
  } catch {
    return { jti: ticket.orderId.replace(/[^A-Za-z0-9_-]/g, '_'), shard: undefined };
  }
}

const RESTORE_BATCH = 500;

export interface RebuildResult extends PublishResult {
  sold: number;
  holdsRestored: number;
}

export async function rebuildSale(redis: RedisClient, pg: PgPool, saleId: string): Promise<RebuildResult> {
  const source = await readSaleSource(pg, saleId);
  const tickets = await readLiveTickets(pg, saleId);
  const base = planSale(source);
  const S = base.layout.shards;
  const overlay: SoldOverlay = { seats: new Map(), ga: new Map() };
  const records = new Map<string, { shard: number; jti: string; items: StoredItem[]; amount: number; currency: string }>();
  for (const t of tickets) {
    const section = base.layout.sections.find((s) => s.id === t.sectionId);
    if (!section) continue;
    const owner = holdOf(t, S);
    let shard: number;
    if (t.seatId !== null) {
      shard = base.seatShard.get(t.seatId) ?? 0;
      overlay.seats.set(t.seatId, owner.jti);
    } else {
      const sold = overlay.ga.get(t.sectionId) ?? Array.from({ length: S }, () => 0);
      // the hold's own shard when it has room, else any shard with room
      const fits = (k: number): boolean => sold[k]! < section.perShard[k]!;
      shard = owner.shard !== undefined && fits(owner.shard) ? owner.shard : sold.findIndex((_, k) => fits(k));
      if (shard < 0) throw new Error(`section ${section.name}: more live tickets than capacity`);
      sold[shard]!++;
      overlay.ga.set(t.sectionId, sold);
    }
    const rec = records.get(t.orderId) ?? { shard: owner.shard ?? shard, jti: owner.jti, items: [], amount: 0, currency: t.currency };
    const line = t.seatId === null ? rec.items.find((i) => i.i === '' && i.s === t.sectionId && i.p === t.priceMinor) : undefined;
    if (line) line.n++;
    else rec.items.push({ s: t.sectionId, t: t.tierCode, i: t.seatId === null ? '' : String(t.seatId), n: 1, p: t.priceMinor, l: t.seatId === null ? section.name : '' });
    rec.amount += t.priceMinor;
    records.set(t.orderId, rec);
  }
  const plan = planSale(source, overlay);
  const labels = new Map(plan.shards.flatMap((spec) => spec.seats.map(([id, info]) => [id, info.split('|').slice(5).join('|')] as const)));
  for (const rec of records.values()) for (const item of rec.items) if (item.i !== '') item.l = labels.get(item.i) ?? '';

  await wipeSale(redis, saleId, S);
  let restored = 0;
  // a sold-out 50,000-seat sale has tens of thousands of orders: sent RESTORE_BATCH at a time (one
  // pipeline on the wire), not one round trip each
  const recs = [...records.values()];
  for (let j = 0; j < recs.length; j += RESTORE_BATCH) {
    const answers = await Promise.all(recs.slice(j, j + RESTORE_BATCH).map((rec) => {
      const k = shardKeys(saleId, rec.shard);
      const fields = ['state', 'SOLD', 'items', JSON.stringify(rec.items), 'amount', String(rec.amount), 'currency', rec.currency,
        'deadline', '0', 'extended', '0', 'jti', rec.jti, 'created', String(Date.now()), 'rebuilt', '1'];
      return redis.usherInvRestoreHold(k.holds, k.hold(rec.jti), rec.jti, JSON.stringify(fields));
    }));
    restored += answers.reduce((a, n) => a + n, 0);
  }
  const result = await writePlan(redis, plan);
  return { ...result, alreadyPublished: false, sold: tickets.length, holdsRestored: restored };
}

/** Deletes a sale's pools and hold records (rebuild's first step; the sale should be closed meanwhile). */
export async function wipeSale(redis: RedisClient, saleId: string, shards: number): Promise<void> {
  const known = Number((await redis.hget(registryKey, saleId)) ?? 0);
  for (let shard = 0; shard < Math.max(shards, known); shard++) {
    const k = shardKeys(saleId, shard);
    // HELD holds are not in the set (see holdSeats-10.lua) but in the deadlines
    const jtis = [...new Set([...(await redis.smembers(k.holds)), ...(await redis.zrange(k.deadlines, 0, -1))])];
    for (let j = 0; j < jtis.length; j += 500) await redis.del(...jtis.slice(j, j + 500).map((jti) => k.hold(jti)));
    await redis.del(...fixedShardKeys(k));
  }
  const sk = saleKeys(saleId);
  await redis.del(sk.layout);
  await redis.del(sk.seatShard);
}
