/**
 * The inventory's invariants, checked against Redis and Postgres: per section and shard
 * free + held + claimed + sold = capacity; counters agree with seat states and hold records; every
 * non-free seat belongs to exactly one hold in the matching state; the free set is exactly the free
 * seats; and SOLD in Redis = live tickets in Postgres (by seat, and by count for general admission).
 * Reads are not one atomic snapshot: audit a quiet sale (tests do, after their traffic stops).
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import type { AuditReport } from './inventory-api.js';
import { RUN_CAP, shardKeys } from './inventory-keys.js';
import { readLiveTickets } from './sale-source.js';
import type { LayoutCache } from './sale-layout.js';
import { storedItemsSchema, type StoredItem } from './hold-record.js';
import { parseHoldId } from './hold-id.js';

const letterOf: Record<string, string> = { HELD: 'H', CLAIMED: 'C', SOLD: 'S' };
const RECORD_BATCH = 500;

export async function auditSale(redis: RedisClient, pg: PgPool, layouts: LayoutCache, saleId: string): Promise<AuditReport> {
  layouts.forget(saleId);
  const layout = await layouts.get(saleId);
  const v: string[] = [];
  const totals = { capacity: 0, free: 0, held: 0, claimed: 0, sold: 0, liveTickets: 0 };
  const soldSeats = new Map<number, string>(); // seat → jti
  const gaSold = new Map<string, number>();
  const seatOwners = new Map<string, string>(); // "seat" → "shard/jti" of the live hold listing it

  for (let shard = 0; shard < layout.shards; shard++) {
    const k = shardKeys(saleId, shard);
    const [counts, states, seats, free, jtis, deadlines, runs] = await Promise.all([
      redis.hgetall(k.counts), redis.hgetall(k.state), redis.hgetall(k.seats), redis.zrange(k.free, 0, -1), redis.smembers(k.holds), redis.zrange(k.deadlines, 0, -1), redis.zrange(k.runs, 0, -1),
    ]);
    const holds = new Map<string, { state: string; items: StoredItem[] }>();
    // claimed, sold and rebuilt holds are in the set, HELD ones only in the deadlines
    // read RECORD_BATCH records at a time (one pipeline on the wire): a sold-out 50,000-seat sale
    // has thousands of holds per shard
    const listed = [...new Set([...jtis, ...deadlines])];
    for (let j = 0; j < listed.length; j += RECORD_BATCH) {
      const batch = listed.slice(j, j + RECORD_BATCH);
      const records = await Promise.all(batch.map((jti) => redis.hgetall(k.hold(jti))));
      batch.forEach((jti, n) => {
        const f = records[n]!;
        if (f.state === undefined) return; // an ended record that timed out
        holds.set(jti, { state: f.state, items: storedItemsSchema.parse(JSON.parse(f.items ?? '[]')) });
      });
    }
    const deadlineSet = new Set(deadlines);
    const fromStates = new Map<string, { F: number; H: number; C: number; S: number }>();
    for (const [seat, state] of Object.entries(states)) {
      const sec = (seats[seat] ?? '').split('|')[0] ?? '';
      const tally = fromStates.get(sec) ?? { F: 0, H: 0, C: 0, S: 0 };
      const letter = state[0] as 'F' | 'H' | 'C' | 'S';
      tally[letter]++;
      fromStates.set(sec, tally);
      if (letter === 'F') continue;
      const jti = state.slice(2);
      const hold = holds.get(jti);
      if (!hold || letterOf[hold.state] !== letter || !hold.items.some((i) => i.i === seat)) {
        v.push(`shard ${shard}: seat ${seat} is ${state} but hold ${jti} is ${hold ? `${hold.state} and does not match` : 'missing'}`);
      }
      if (letter === 'S') soldSeats.set(Number(seat), jti);
    }
    const freeSet = new Set(free);
    const freeStates = Object.entries(states).filter(([, s]) => s === 'F').map(([id]) => id);
    if (freeSet.size !== freeStates.length || freeStates.some((id) => !freeSet.has(id))) v.push(`shard ${shard}: free set differs from the seats in state F`);
    for (const missing of missingRunEntries(free.map((id) => Number((seats[id] ?? '').split('|')[2])), new Set(runs))) {
      v.push(`shard ${shard}: run index misses ${missing}`);
    }
    const gaInHolds = new Map<string, number>(); // "<letter>:<section>" → places
    for (const [jti, hold] of holds) {
      const letter = letterOf[hold.state];
      if (!letter) continue;
      if (hold.state === 'HELD' && !deadlineSet.has(jti)) v.push(`shard ${shard}: HELD hold ${jti} has no deadline entry`);
      for (const item of hold.items) {
        if (item.i === '') {
          gaInHolds.set(`${letter}:${item.s}`, (gaInHolds.get(`${letter}:${item.s}`) ?? 0) + item.n);
          continue;
        }
        const owner = seatOwners.get(item.i);
        if (owner) v.push(`seat ${item.i} is in two live holds: ${owner} and ${shard}/${jti}`);
        seatOwners.set(item.i, `${shard}/${jti}`);
        if (states[item.i] !== `${letter}:${jti}`) v.push(`shard ${shard}: hold ${jti} (${hold.state}) lists seat ${item.i} whose state is ${states[item.i] ?? 'missing'}`);
      }
    }
    for (const section of layout.sections) {
      const cap = section.perShard[shard] ?? 0;
      const c = (p: string): number => Number(counts[`${p}:${section.id}`] ?? 0);
      const [f, h, cl, s] = [c('f'), c('h'), c('c'), c('s')];
      if (Number(counts[`cap:${section.id}`] ?? 0) !== cap) v.push(`shard ${shard} ${section.name}: capacity counter ${counts[`cap:${section.id}`] ?? 0} ≠ ${cap}`);
      if (f + h + cl + s !== cap) v.push(`shard ${shard} ${section.name}: free ${f} + held ${h} + claimed ${cl} + sold ${s} ≠ capacity ${cap}`);
      if (Math.min(f, h, cl, s) < 0) v.push(`shard ${shard} ${section.name}: negative counter (oversold)`);
      if (section.kind === 'reserved') {
        const t = fromStates.get(section.id) ?? { F: 0, H: 0, C: 0, S: 0 };
        if (t.F !== f || t.H !== h || t.C !== cl || t.S !== s) v.push(`shard ${shard} ${section.name}: counters f${f}/h${h}/c${cl}/s${s} ≠ seat states f${t.F}/h${t.H}/c${t.C}/s${t.S}`);
      } else {
        const g = (l: string): number => gaInHolds.get(`${l}:${section.id}`) ?? 0;
        if (g('H') !== h || g('C') !== cl) v.push(`shard ${shard} ${section.name}: GA held/claimed counters ${h}/${cl} ≠ holds ${g('H')}/${g('C')}`);
        gaSold.set(section.id, (gaSold.get(section.id) ?? 0) + s);
      }
      totals.capacity += cap;
      totals.free += f;
      totals.held += h;
      totals.claimed += cl;
      totals.sold += s;
    }
  }

  const tickets = await readLiveTickets(pg, saleId);
  totals.liveTickets = tickets.length;
  const ticketSeats = new Map<number, string>();
  const gaTickets = new Map<string, number>();
  for (const t of tickets) {
    if (t.seatId === null) gaTickets.set(t.sectionId, (gaTickets.get(t.sectionId) ?? 0) + 1);
    else if (ticketSeats.has(t.seatId)) v.push(`seat ${t.seatId} has two live tickets`);
    else ticketSeats.set(t.seatId, t.orderId);
  }
  for (const [seat, jti] of soldSeats) {
    const order = ticketSeats.get(seat);
    if (order === undefined) v.push(`seat ${seat} is SOLD in Redis (hold ${jti}) but has no live ticket`);
    else if (jtiOfOrder(order) !== jti) v.push(`seat ${seat} is SOLD to hold ${jti} but its live ticket belongs to order ${order}`);
  }
  for (const seat of ticketSeats.keys()) if (!soldSeats.has(seat)) v.push(`seat ${seat} has a live ticket but is not SOLD in Redis`);
  for (const section of layout.sections.filter((s) => s.kind === 'ga')) {
    const r = gaSold.get(section.id) ?? 0;
    const p = gaTickets.get(section.id) ?? 0;
    if (r !== p) v.push(`${section.name}: ${r} places SOLD in Redis but ${p} live tickets`);
  }
  return { saleId, ok: v.length === 0, violations: v, totals };
}

function jtiOfOrder(orderId: string): string {
  try {
    return parseHoldId(orderId).jti;
  } catch {
    return orderId.replace(/[^A-Za-z0-9_-]/g, '_');
  }
}

/**
 * Entries the free-run index must have (lua/includes/runIndex.lua): for each row, one per t from 2
 * to its longest free run (at most RUN_CAP). Extra entries are allowed: the index is a superset.
 */
export function missingRunEntries(freeScores: number[], entries: Set<string>): string[] {
  const sorted = [...freeScores].sort((a, b) => a - b);
  const missing: string[] = [];
  const check = (rowBase: number, longest: number): void => {
    for (let t = 2; t <= Math.min(longest, RUN_CAP); t++) {
      if (!entries.has(String(t * 1e12 + rowBase))) missing.push(`a run of ${t} in the row of score ${rowBase}`);
    }
  };
  let run = 0;
  let longest = 0;
  for (let j = 0; j < sorted.length; j++) {
    const score = sorted[j]!;
    run = j > 0 && score === sorted[j - 1]! + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
    const rowBase = score - (score % 1e4);
    const next = sorted[j + 1];
    if (next === undefined || next - (next % 1e4) !== rowBase) {
      check(rowBase, longest);
      longest = 0;
    }
  }
  return missing;
}
