/**
 * What `GET /v1/sales/:sale/draw` publishes of the opening draw (README: "A draw anyone can
 * verify"): before the pre-queue closes, its closing time; from the close, the count, the
 * commitment and the beacon round; from the reveal, the beacon's value, the seed, the first ticket
 * and the sorted hashed ids. Everything a verifier needs, and nothing that names a fan.
 */
import type { RedisClient } from '../common/redis-connection.js';
import { queueKeys } from '../admission/queue-keys.js';
import { DRAW_VERSION } from './fair-draw.js';

export interface DrawRecord {
  version: typeof DRAW_VERSION;
  saleId: string;
  state: 'prequeue' | 'committed' | 'revealed';
  /** the pre-queue closes (opens_at): arrivals before it are in the draw */
  closesAt: number;
  count: number | null;
  commitment: string | null;
  committedAt: number | null;
  /** the beacon round fixed at the commit (draw-beacon.ts BeaconPlan) */
  beacon: unknown;
  /** the beacon's value the seed came from (BeaconValue) */
  reveal: unknown;
  seed: string | null;
  firstTicket: number | null;
  revealedAt: number | null;
  /** the sorted hashed ids (after the reveal) */
  members: string[] | null;
}

export async function readDrawRecord(redis: RedisClient, saleId: string): Promise<DrawRecord> {
  const k = queueKeys(saleId);
  const fields = ['opens_at_ms', 'draw_commitment', 'draw_count', 'draw_committed_at', 'draw_beacon', 'shuffled', 'prequeue_seed', 'draw_first_ticket', 'draw_reveal', 'shuffled_at_ms'];
  const [closesAt, commitment, count, committedAt, beacon, shuffled, seed, firstTicket, reveal, revealedAt] = (await redis.hmget(k.settings, ...fields)).map((v) => v ?? null);
  const revealed = shuffled === '1' && !!commitment;
  const num = (v: string | null | undefined): number | null => (v == null ? null : Number(v));
  return {
    version: DRAW_VERSION,
    saleId,
    state: revealed ? 'revealed' : commitment ? 'committed' : 'prequeue',
    closesAt: Number(closesAt ?? 0),
    count: num(count),
    commitment: commitment ?? null,
    committedAt: num(committedAt),
    beacon: beacon ? JSON.parse(beacon) : null,
    reveal: revealed && reveal ? JSON.parse(reveal) : null,
    seed: revealed ? (seed ?? null) : null,
    firstTicket: revealed ? num(firstTicket) : null,
    revealedAt: revealed ? num(revealedAt) : null,
    members: revealed ? await redis.lrange(k.drawHashed, 0, -1) : null,
  };
}
