/**
 * The live opening draw of a 2,000-fan pre-queue on a real edge and Redis, seeded by a drand
 * stand-in, reproduced by the standalone verifier (`npm run verify:draw`, run as its own process)
 * from the edge's published data only, position by position against the tickets the edge gave.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { newRedis } from '../test/support/databases.js';
import { queueKeys } from '../admission/queue-keys.js';
import { createSale, startTestEdge, newVisitor, eventually } from '../test/support/edge-test-harness.js';
import { startDrandStandIn } from '../test/support/drand-stand-in.js';
import { storedPlace } from '../admission/visitor-place.js';
import { hashedVisitorId } from './fair-draw.js';
import type { DrawRecord } from './draw-record.js';

const run = promisify(execFile);
const redis = newRedis();
afterAll(() => redis.disconnect());

const FANS = 2000;

async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => make(i + k)))));
  return out;
}

describe('a draw anyone can verify', () => {
  it('a 2,000-fan pre-queue: committed at the close, seeded by the beacon round after it, recomputed by the verifier from published data', async () => {
    const beacon = await startDrandStandIn(1);
    const edge = await startTestEdge({ DRAW_BEACON_URL: beacon.url, DRAW_BEACON_DELAY_S: '1', QUEUE_RECONNECT_GRACE_S: '600' });
    try {
      const saleId = await createSale(redis, { opensAtMs: Date.now() + 3600_000, ratePerMin: 1, maxActive: 1 });
      const k = queueKeys(saleId);
      await redis.hset(k.settings, 'paused', '1'); // nobody admitted: the tickets are the result
      const draw = async (): Promise<DrawRecord> => (await (await fetch(`${edge.url}/v1/sales/${saleId}/draw`)).json()) as DrawRecord;

      const fans = await inBatches(FANS, 100, async () => {
        const v = await newVisitor(edge.url);
        const res = await fetch(`${edge.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: { authorization: `Bearer ${v.token}` } });
        expect(((await res.json()) as { place: string }).place).toBe('prequeue');
        return v.visitorId;
      });
      expect(await draw()).toMatchObject({ state: 'prequeue', count: null, commitment: null, members: null });

      await redis.hset(k.settings, 'opens_at_ms', String(Date.now())); // the pre-queue closes now
      const committed = await eventually(async () => ((await draw()).state === 'committed' ? draw() : false), 5000);
      expect(committed).toMatchObject({ count: FANS, members: null, seed: null, beacon: { kind: 'drand', url: beacon.url, delayS: 1 } });
      const late = await newVisitor(edge.url); // after the close: not in this draw
      await fetch(`${edge.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: { authorization: `Bearer ${late.token}` } });

      const revealed = await eventually(async () => ((await draw()).state === 'revealed' ? draw() : false), 10_000);
      expect(revealed.commitment).toBe(committed.commitment);
      expect(revealed.members).toHaveLength(FANS);
      const plan = committed.beacon as { round: number; roundAt: number };
      expect(revealed.reveal).toMatchObject({ kind: 'drand', round: plan.round, randomness: beacon.randomnessOf(plan.round) });
      expect(plan.roundAt).toBeGreaterThan(committed.committedAt!);

      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', saleId, '--edge', edge.url, '--json']);
      const verified = JSON.parse(stdout) as { ok: boolean; problems: string[]; warnings: string[]; positions: { ticket: number; hashedId: string }[] };
      expect(verified.problems).toEqual([]);
      expect(verified.warnings).toEqual([]);
      expect(verified.ok).toBe(true);
      expect(verified.positions).toHaveLength(FANS);

      // every fan's ticket, as the edge gave it, is the one the verifier derives for their hashed id
      const ticketOf = new Map(verified.positions.map((p) => [p.hashedId, p.ticket]));
      const places = await redis.hmget(k.visitors, ...fans);
      const mismatches = fans.filter((v, i) => {
        const place = storedPlace(places[i]!);
        return place?.state !== 'waiting' || ticketOf.get(hashedVisitorId(saleId, v)) !== place.ticket;
      });
      expect(mismatches).toEqual([]);
      expect(ticketOf.has(hashedVisitorId(saleId, late.visitorId))).toBe(false);
      await eventually(async () => storedPlace((await redis.hget(k.visitors, late.visitorId))!)?.state === 'waiting'); // drawn right after

      const { stdout: mine } = await run(process.execPath, ['--import', 'tsx', 'scripts/verify-draw.ts', saleId, '--edge', edge.url, '--me', hashedVisitorId(saleId, fans[0]!)]);
      expect(mine).toContain(`ticket ${storedPlace(places[0]!)!.state === 'waiting' ? (storedPlace(places[0]!) as { ticket: number }).ticket : -1}`);
      expect(mine).toMatch(/verified: 2000 positions/);
    } finally {
      await edge.close();
      await beacon.close();
    }
  }, 60_000);
});
