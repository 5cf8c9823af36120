/**
 * Hold ids are `<saleId>.<shard>.<jti>`: URL-safe, 8–128 characters, and self-locating, so
 * getHold/claim/finalize need only the id (it is also the order id, the BullMQ job id and the
 * Stripe idempotency base). A pass has at most one hold, so the jti makes it unique.
 */
import { z } from 'zod';
import { InventoryError } from './inventory-errors.js';

const token = /^[A-Za-z0-9_-]+$/;
export const saleIdSchema = z.string().min(1).max(60).regex(token);
export const jtiSchema = z.string().min(6).max(60).regex(token);

export interface HoldLocation {
  saleId: string;
  shard: number;
  jti: string;
}

export function makeHoldId(saleId: string, shard: number, jti: string): string {
  return `${saleId}.${shard}.${jti}`;
}

const HOLD_ID = /^([A-Za-z0-9_-]{1,60})\.(0|[1-9]\d{0,3})\.([A-Za-z0-9_-]{6,60})$/;

/** The location encoded in a hold id; a malformed id is an unknown hold. */
export function parseHoldId(holdId: string): HoldLocation {
  const m = typeof holdId === 'string' ? HOLD_ID.exec(holdId) : null;
  if (!m) throw new InventoryError('hold_not_found', `unknown hold: malformed id`);
  return { saleId: m[1]!, shard: Number(m[2]), jti: m[3]! };
}

/**
 * The pass's home shard: where its placement starts and its round counter lives. FNV-1a spreads
 * passes evenly over the shards, which is the load balancing a free-count hint would give, but is
 * the same for every request of one pass (see hold-placement.ts for why that matters).
 */
export function homeShard(jti: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < jti.length; i++) {
    h ^= jti.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

export function parseSaleId(saleId: unknown): string {
  const r = saleIdSchema.safeParse(saleId);
  if (!r.success) throw new InventoryError('unknown_sale', 'unknown sale: malformed id');
  return r.data;
}

export function parseJti(jti: unknown): string {
  const r = jtiSchema.safeParse(jti);
  if (!r.success) throw new InventoryError('hold_not_found', 'malformed pass id (jti): 6–60 of A-Z a-z 0-9 _ -');
  return r.data;
}
