/**
 * The seat map and seat-state routes against real Redis and PostgreSQL: compressed once, strong
 * ETag and 304; states follow holds, releases and sales; N concurrent viewers cost one Redis read.
 */
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { stateAt } from './seat-states.js';
import { SEAT_STATES_CACHE_MS } from './seat-map-routes.js';
import type { SeatMap } from './seat-map-build.js';
import { seedSale } from '../../scripts/seed-sale.js';
import { uniqueId } from '../../test/support/databases.js';
import { parseSeatCsv } from '../admin/seat-csv.js';
import { importSeats } from '../admin/seat-map.js';
import { inTransaction } from '../../common/postgres-pool.js';

let w: CheckoutWorld;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'demo', sale: { rows: 4, seatsPerRow: 5, gaCapacity: 10, shardCount: 2 } });
});
afterAll(async () => w?.close());

const get = (path: string, headers: Record<string, string> = {}) => w.app.request(path, { headers });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function mapOf(): Promise<SeatMap> {
  return JSON.parse(await (await get(`/v1/sales/${w.sale.saleId}/seat-map`)).text());
}
async function statesOf(): Promise<{ version: string; states: string; seatCount: number }> {
  await sleep(SEAT_STATES_CACHE_MS + 20);
  return JSON.parse(await (await get(`/v1/sales/${w.sale.saleId}/seat-states`)).text());
}

describe('GET /v1/sales/{sale}/seat-map', () => {
  it('lists sections, rows, seats, prices and positions; brotli, gzip, strong ETag, 304', async () => {
    const plain = await get(`/v1/sales/${w.sale.saleId}/seat-map`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=86400');
    const etag = plain.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const map: SeatMap = JSON.parse(await plain.text());
    const block = map.sections.find((s) => s.name === 'Block A')!;
    expect(block).toMatchObject({ kind: 'reserved', tierCode: 'P1', capacity: 20, first: 0 });
    expect(block.priceMinor).toBeGreaterThan(0);
    expect(block.rows).toHaveLength(4);
    expect(block.rows[0]!.slice(0, 2)).toEqual(['A', 5]);
    expect(map.sections.find((s) => s.kind === 'ga')!.box).toHaveLength(4);
    expect(map.seatCount).toBe(20);

    const br = await get(`/v1/sales/${w.sale.saleId}/seat-map`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(JSON.parse(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString())).toEqual(map);
    const gz = await get(`/v1/sales/${w.sale.saleId}/seat-map`, { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString())).toEqual(map);
    expect(br.headers.get('etag')).toBe(etag);

    const again = await get(`/v1/sales/${w.sale.saleId}/seat-map`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('draws seats where the venue CSV put them (x,y columns), through the admin import', async () => {
    const sale = await seedSale(w.db.pool, { key: uniqueId('xy'), currency: 'EUR', sections: [{ name: 'Floor', kind: 'ga', capacity: 5, tierCode: 'GA' }],
      tiers: [{ code: 'P1', name: 'Premium', priceMinor: 9000 }, { code: 'GA', name: 'Standing', priceMinor: 4000 }], sale: { shardCount: 1 } });
    const csv = 'section,row,seat,tier,x,y\nCircle,A,1,P1,10,20\nCircle,A,2,P1,11.5,20\nCircle,A,3,P1,13,20\nCircle,B,1,P1,10,22\nCircle,B,2,P1,12,23\nCircle,B,3,P1,13,23\n';
    const parsed = parseSeatCsv(csv, new Set(['P1']));
    expect(parsed.problems).toEqual([]);
    await inTransaction(w.db.pool, (client) => importSeats(client, sale.venueId, parsed.seats));
    await w.deps.inventory.publish(sale.saleId);
    const map: SeatMap = JSON.parse(await (await get(`/v1/sales/${sale.saleId}/seat-map`)).text());
    const circle = map.sections.find((s) => s.name === 'Circle')!;
    expect(circle.rows.map((r) => [r[0], r[1], r[4], r[5], r[6], r[7]])).toEqual([['A', 3, 10, 20, 1.5, 0], ['B', 3, [10, 12, 13], [22, 23, 23], 0, 0]]);
    expect(circle.priceMinor).toBe(9000);
  });

  it('answers an unknown sale 404 and a malformed id 400, as problems', async () => {
    const unknown = await w.json('GET', '/v1/sales/00000000-0000-4000-8000-000000000000/seat-map');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('unknown_sale');
    expect((await w.json('GET', '/v1/sales/nope/seat-states')).status).toBe(400);
  });
});

describe('GET /v1/sales/{sale}/seat-states', () => {
  it('follows a hold, its release and a sale, with a new version each time and 304 between', async () => {
    const map = await mapOf();
    const block = map.sections.find((s) => s.name === 'Block A')!;
    const idOf = (i: number): number => { const ids = block.rows[0]![2]; return typeof ids === 'number' ? ids + i : ids[i]!; };
    const first = await statesOf();
    expect(first.seatCount).toBe(20);
    expect(stateAt(first.states, 0)).toBe('free');

    const fan = await w.admit();
    const held = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: fan.token, body: { kind: 'seats', seatIds: [idOf(0), idOf(1)] } });
    expect(held.status).toBe(201);
    const during = await statesOf();
    expect(during.version).not.toBe(first.version);
    expect([0, 1, 2].map((i) => stateAt(during.states, i))).toEqual(['held', 'held', 'free']);

    const same = await get(`/v1/sales/${w.sale.saleId}/seat-states`, { 'if-none-match': `"${during.version}"` });
    expect(same.status).toBe(304);

    expect((await w.json('DELETE', `/v1/holds/${held.body.holdId}`, { token: fan.token })).status).toBe(200);
    const after = await statesOf();
    expect(stateAt(after.states, 0)).toBe('free');
    expect(after.version).not.toBe(during.version);

    // sold: hold, pay (demo), commit by hand through the inventory (claim + finalize)
    const buyer = await w.admit();
    const h2 = await w.json('POST', `/v1/sales/${w.sale.saleId}/holds`, { token: buyer.token, body: { kind: 'seats', seatIds: [idOf(3)] } });
    const hold = (await w.deps.inventory.getHold(h2.body.holdId))!;
    await w.deps.inventory.claim(hold.holdId, { items: hold.items, passJti: hold.passJti, amountMinor: hold.amountMinor, currency: hold.currency });
    await w.deps.inventory.finalize(hold.holdId);
    expect(stateAt((await statesOf()).states, 3)).toBe('sold');
  });

  it('500 concurrent viewers cost one seat-state read, which re-reads only the shards that changed', async () => {
    await sleep(SEAT_STATES_CACHE_MS + 20);
    const inv = w.deps.inventory;
    const original = inv.seatStates.bind(inv);
    const reads: { versions: number; shards: number }[] = [];
    inv.seatStates = async (saleId) => { const r = await original(saleId); reads.push(r.reads); return r; };
    try {
      const answers = await Promise.all(Array.from({ length: 500 }, () => get(`/v1/sales/${w.sale.saleId}/seat-states`)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(reads).toHaveLength(1);
      expect(reads[0]).toEqual({ versions: 2, shards: 0 }); // nothing changed since the last read: versions only
    } finally {
      inv.seatStates = original;
    }
  });
});
