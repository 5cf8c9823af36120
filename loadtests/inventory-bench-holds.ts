/**
 * The Redis side of `bench:inventory`: one-shard sales of a given size, hold requests of each mode
 * driven through the TypeScript wrapper by `concurrency` logical clients over 8 connections, and
 * the floor every hold pays (a trivial script by EVALSHA over the same connections).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Redis } from 'ioredis';
import { seedSale } from '../scripts/seed-sale.js';
import { createSeatInventory, type Hold, type HoldRequest, type SeatInventory } from '../inventory/index.js';
import type { HoldBatchOptions } from '../inventory/hold-batcher.js';
import { LatencySamples } from './lib/percentiles.js';

export type HoldMode = 'best' | 'together' | 'seats';
export const QUANTITY = 2;
export const SEATS_PER_ROW = 100;
const CONNECTIONS = 8;

export interface BenchSale {
  saleId: string;
  sectionId: string;
  /** seat ids in seat-map order (adjacent ids are neighbours in a row) */
  seatIds: number[];
}

/** One reserved section of `seats` seats in rows of 100, on one shard. */
export async function newSale(pool: pg.Pool, redisUrl: string, seats: number): Promise<BenchSale> {
  const sale = await seedSale(pool, {
    key: `bench-${randomUUID()}`,
    sections: [{ name: 'Bowl', kind: 'reserved', rows: Math.ceil(seats / SEATS_PER_ROW), seatsPerRow: SEATS_PER_ROW, tierCode: 'P1' }],
    tiers: [{ code: 'P1', name: 'Seated', priceMinor: 5000 }],
    sale: { shardCount: 1, perFanLimit: 6, holdSeconds: 3600 },
  });
  const admin = new Redis(redisUrl);
  await createSeatInventory({ redis: admin, pg: pool }).publish(sale.saleId);
  admin.disconnect();
  const sectionId = sale.sectionIds.Bowl!;
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM seats WHERE section_id = $1 ORDER BY row_label, position', [sectionId]);
  return { saleId: sale.saleId, sectionId, seatIds: rows.map((r) => Number(r.id)) };
}

export class HoldDriver {
  readonly conns: Redis[];
  readonly invs: SeatInventory[];

  /** `holdBatch`: the coalescer's options (default: on, as in production; `{ maxBatch: 1 }` = one script call per hold). */
  constructor(redisUrl: string, pool: pg.Pool, readonly autoPipelining: boolean, private readonly concurrency: number, holdBatch?: HoldBatchOptions) {
    this.conns = Array.from({ length: CONNECTIONS }, () => new Redis(redisUrl, { enableAutoPipelining: autoPipelining }));
    this.invs = this.conns.map((redis) => createSeatInventory({ redis, pg: pool, availabilityCacheMs: 0, holdBatch }));
  }

  /**
   * The request of the n-th hold of a run. Explicit seats walk the seat map two by two from
   * `seatOffset`, so no request meets a seat another took.
   */
  request(sale: BenchSale, mode: HoldMode, n: number, seatOffset = 0): HoldRequest {
    if (mode === 'best') return { kind: 'best', sectionId: sale.sectionId, quantity: QUANTITY };
    if (mode === 'together') return { kind: 'best', sectionId: sale.sectionId, quantity: QUANTITY, together: true };
    const at = (seatOffset + n * QUANTITY) % sale.seatIds.length;
    return { kind: 'seats', seatIds: sale.seatIds.slice(at, at + QUANTITY) };
  }

  /** `n` operations from `concurrency` workers; latency of each. */
  async run<T>(n: number, op: (j: number, conn: number) => Promise<T>): Promise<{ results: T[]; latency: LatencySamples }> {
    const latency = new LatencySamples();
    const results: T[] = new Array<T>(n);
    let next = 0;
    await Promise.all(Array.from({ length: this.concurrency }, async (_, w) => {
      while (next < n) {
        const j = next++;
        const t = performance.now();
        results[j] = await op(j, w % CONNECTIONS);
        latency.add(performance.now() - t);
      }
    }));
    return { results, latency };
  }

  holds(sale: BenchSale, mode: HoldMode, n: number, seatOffset = 0): Promise<{ results: Hold[]; latency: LatencySamples }> {
    return this.run(n, (j, c) => this.invs[c]!.hold(sale.saleId, randomUUID(), this.request(sale, mode, j, seatOffset)));
  }

  async releaseAll(holds: Hold[]): Promise<void> {
    await this.run(holds.length, (j, c) => this.invs[c]!.release(holds[j]!.holdId));
  }

  /** `n` calls of a trivial script: what any one-script hold pays at least. */
  async floor(n: number, keys: string[] = [], args: string[] = []): Promise<void> {
    const sha = String(await this.conns[0]!.script('LOAD', FLOOR_LUA));
    await this.run(n, (_, c) => this.conns[c]!.evalsha(sha, keys.length, ...keys, ...args));
  }

  close(): void {
    for (const c of this.conns) c.disconnect();
  }
}

export const FLOOR_LUA = 'return 1';
