/**
 * Turns a script's `{tag, field, value, …}` answer (an HGETALL of a hold) into a `Hold`. Items are
 * stored compactly ({s, t, i, n, p, l}; a GA line has n places); the API sees one item per place.
 */
import { z } from 'zod';
import type { Hold, HeldItem, HoldState } from './inventory-api.js';
import { makeHoldId, type HoldLocation } from './hold-id.js';

export const storedItemSchema = z.object({
  s: z.string(),
  t: z.string(),
  i: z.union([z.string(), z.number()]).transform(String),
  n: z.number().int().positive(),
  p: z.number().int().nonnegative().optional(),
  l: z.string().optional(),
});
export type StoredItem = z.output<typeof storedItemSchema>;
export const storedItemsSchema = z.array(storedItemSchema);

const states: readonly HoldState[] = ['HELD', 'CLAIMED', 'SOLD', 'RELEASED', 'EXPIRED'];

export function fieldsOf(flat: readonly string[], from = 0): Record<string, string> {
  const out: Record<string, string> = {};
  for (let j = from; j + 1 < flat.length; j += 2) out[flat[j]!] = flat[j + 1]!;
  return out;
}

export function expandItems(stored: StoredItem[]): HeldItem[] {
  const items: HeldItem[] = [];
  for (const it of stored) {
    for (let k = 0; k < it.n; k++) {
      items.push({
        sectionId: it.s,
        tierCode: it.t,
        seatId: it.i === '' ? null : Number(it.i),
        label: it.l ?? '',
        priceMinor: it.p ?? 0,
      });
    }
  }
  return items;
}

/** A hold from its HGETALL fields; null when the record is empty (no such hold). */
export function holdFromFields(at: HoldLocation, f: Record<string, string>): Hold | null {
  if (f.state === undefined) return null;
  const state = states.find((s) => s === f.state);
  if (!state) throw new Error(`hold ${at.jti}: unknown state ${f.state}`);
  return {
    holdId: makeHoldId(at.saleId, at.shard, at.jti),
    saleId: at.saleId,
    shard: at.shard,
    state,
    items: expandItems(storedItemsSchema.parse(JSON.parse(f.items ?? '[]'))),
    amountMinor: Number(f.amount ?? 0),
    currency: f.currency ?? '',
    deadlineMs: Number(f.deadline ?? 0),
    extended: f.extended === '1',
    passJti: f.jti ?? at.jti,
  };
}
