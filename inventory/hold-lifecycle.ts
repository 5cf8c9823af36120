/**
 * The hold state machine after placement: FREE → HELD → CLAIMED → SOLD, HELD → FREE on release or
 * expiry, CLAIMED → FREE on unclaim, SOLD → FREE on restock. Each step is one script on the hold's
 * shard (found from the hold id) and is idempotent by state.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { ClaimResult, ExpectedHold, HeldItem, Hold } from './inventory-api.js';
import { shardKeys } from './inventory-keys.js';
import { InventoryError, fromScriptError } from './inventory-errors.js';
import { parseHoldId, type HoldLocation } from './hold-id.js';
import { fieldsOf, holdFromFields, type StoredItem } from './hold-record.js';
import { counter } from '../common/metrics.js';

export const transitions = counter('usher_inventory_transitions_total', 'Hold state changes by kind', ['kind']);

/** claimHold's reply (claimHold-8.lua, or one entry of claimHolds-N.lua) as a ClaimResult. */
export function claimResultOf(at: HoldLocation, reply: readonly string[]): ClaimResult {
  const tag = reply[0];
  transitions.inc({ kind: `claim_${tag ?? 'unknown'}` });
  if (tag === 'lost') return { outcome: 'lost' };
  if (tag === 'claimed' || tag === 'reacquired' || tag === 'already_sold') {
    const hold = holdFromFields(at, fieldsOf(reply, 1));
    if (!hold) throw new InventoryError('hold_not_found');
    return { outcome: tag, hold };
  }
  throw new Error(`claimHold answered ${JSON.stringify(reply)}`);
}

export class HoldLifecycle {
  constructor(
    private readonly redis: RedisClient,
    /** How long ended hold records stay readable (repeats answer 'already'). */
    private readonly endedTtlS: number,
  ) {}

  private located(holdId: string): { at: HoldLocation; k: ReturnType<typeof shardKeys>; key: string } {
    const at = parseHoldId(holdId);
    const k = shardKeys(at.saleId, at.shard);
    return { at, k, key: k.hold(at.jti) };
  }

  private toHold(at: HoldLocation, reply: readonly string[], from: number): Hold {
    const hold = holdFromFields(at, fieldsOf(reply, from));
    if (!hold) throw new InventoryError('hold_not_found');
    return hold;
  }

  async get(holdId: string): Promise<Hold | null> {
    let where;
    try {
      where = this.located(holdId);
    } catch {
      return null;
    }
    return holdFromFields(where.at, await this.redis.hgetall(where.key));
  }

  async extend(holdId: string): Promise<Hold> {
    const { at, k, key } = this.located(holdId);
    const reply = await this.redis.usherInvExtendHold(k.meta, k.deadlines, key, at.jti).catch(fromScriptError);
    return this.toHold(at, reply, 1);
  }

  async release(holdId: string): Promise<'released' | 'already'> {
    const { at, k, key } = this.located(holdId);
    const n = await this.redis.usherInvReleaseHold(k.seats, k.state, k.free, k.counts, k.deadlines, key, k.runs, at.jti, this.endedTtlS).catch(fromScriptError);
    if (n === 1) transitions.inc({ kind: 'release' });
    return n === 1 ? 'released' : 'already';
  }

  async claim(holdId: string, expected: ExpectedHold): Promise<ClaimResult> {
    const { at, k, key } = this.located(holdId);
    const items = compactExpected(expected.items);
    const reply = await this.redis
      .usherInvClaimHold(k.seats, k.state, k.free, k.counts, k.deadlines, k.claims, k.holds, key, at.jti, JSON.stringify(items), expected.amountMinor, expected.currency)
      .catch(fromScriptError);
    return claimResultOf(at, reply);
  }

  async finalize(holdId: string): Promise<void> {
    const { at, k, key } = this.located(holdId);
    const n = await this.redis.usherInvFinalizeHold(k.seats, k.state, k.free, k.counts, k.claims, key, at.jti).catch(fromScriptError);
    if (n === 1) transitions.inc({ kind: 'finalize' });
  }

  async unclaim(holdId: string): Promise<void> {
    const { at, k, key } = this.located(holdId);
    const n = await this.redis.usherInvUnclaimHold(k.seats, k.state, k.free, k.counts, k.claims, key, k.runs, at.jti, this.endedTtlS).catch(fromScriptError);
    if (n === 1) transitions.inc({ kind: 'unclaim' });
  }

  async restock(holdId: string, items: Pick<HeldItem, 'sectionId' | 'seatId'>[]): Promise<void> {
    const { at, k, key } = this.located(holdId);
    if (!Array.isArray(items) || items.length === 0) throw new InventoryError('bad_quantity', 'name the items to restock');
    const units = items.map((it) => ({ s: String(it.sectionId), i: it.seatId === null ? '' : String(it.seatId) }));
    const n = await this.redis.usherInvRestockHold(k.seats, k.state, k.free, k.counts, key, k.runs, at.jti, JSON.stringify(units), this.endedTtlS).catch(fromScriptError);
    if (n === 1) transitions.inc({ kind: 'restock' });
  }
}

/** The paid-for items in the stored shape (GA places of one section and price merged into one line). */
export function compactExpected(items: ExpectedHold['items']): StoredItem[] {
  const out: StoredItem[] = [];
  const seen = new Set<number>();
  for (const it of items) {
    if (it.seatId !== null) {
      if (seen.has(it.seatId)) throw new InventoryError('duplicate_seat', `seat ${it.seatId} is listed twice`);
      seen.add(it.seatId);
      out.push({ s: it.sectionId, t: it.tierCode, i: String(it.seatId), n: 1, p: it.priceMinor, l: it.label });
      continue;
    }
    const line = out.find((o) => o.i === '' && o.s === it.sectionId && o.p === it.priceMinor);
    if (line) line.n++;
    else out.push({ s: it.sectionId, t: it.tierCode, i: '', n: 1, p: it.priceMinor, l: it.label });
  }
  return out;
}
