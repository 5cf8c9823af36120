/**
 * Which shards a best-available hold should try, from the shards' availability counters (`f:` /
 * `h:` / `c:<section>` of each shard's counts hash), so that a hold near sell-out goes straight to a
 * shard that can still serve it instead of running the whole tier walk of holdSeats on every shard.
 *
 * The counters are only a hint: the scripts still decide (a hint that says "fits" and is wrong
 * costs one missed step; one that says "no" is recorded as a probe by hold-placement.ts, so every
 * shard is still decided once per round). Reads are one HGETALL per shard, sent together, shared
 * by concurrent callers and at most `maxAgeMs` old.
 */
import type { RedisClient } from '../common/redis-connection.js';
import { shardKeys } from './inventory-keys.js';
import type { MissReason } from './inventory-errors.js';
import type { SaleLayout } from './sale-layout.js';
import type { PlacementRequest } from './hold-request.js';
import { sectionScoreRange } from './shard-plan.js';

/** A shard's counts hash (field → count as a string). */
export type ShardCounts = Record<string, string>;

/** What to do on one shard for one best-available request. */
export type ShardChoice =
  /** holdSeats there as asked, in `mode`/`target` (a tier request is narrowed to the first section that fits, which spares the script the walk). */
  | { kind: 'step'; mode: 'section' | 'tier'; target: string }
  /** no section there has the quantity, but the tier's reserved sections on that shard have it together: take the best seats across them (ords best first). */
  | { kind: 'spill'; sections: { id: string; ord: number; free: number }[] }
  /** nothing there can serve it: record a probe, never run the walk; `reason` is what the walk would have answered. */
  | { kind: 'skip'; reason: MissReason };

const num = (c: ShardCounts, field: string): number => Number(c[field] ?? 0);

/**
 * The choice for shard `k` (pure). Mirrors holdSeats-10.lua: a best request takes its places from
 * one section of one shard, GA from the section's counter, reserved seats best first; "together"
 * needs f ≥ q in the section (necessary, not sufficient: the run index decides).
 */
export function chooseOnShard(layout: SaleLayout, counts: ShardCounts, k: number, p: Extract<PlacementRequest, { mode: 'section' | 'tier' }>): ShardChoice {
  const q = p.quantity;
  const candidates: { id: string; ord: number; kind: 'reserved' | 'ga' }[] = [];
  layout.sections.forEach((s, ord) => {
    if ((s.perShard[k] ?? 0) === 0) return;
    if (p.mode === 'section' ? s.id === p.target : s.tierCode === p.target) candidates.push({ id: s.id, ord, kind: s.kind });
  });
  let pending = 0;
  for (const c of candidates) pending += num(counts, `h:${c.id}`) + num(counts, `c:${c.id}`);
  const none: ShardChoice = { kind: 'skip', reason: pending > 0 ? 'all_held' : 'sold_out' };
  const fit = candidates.find((c) => num(counts, `f:${c.id}`) >= q);
  if (fit) {
    // tier + together: the script tries each section's run index in turn; keep that walk
    if (p.mode === 'tier' && p.together && q > 1) return { kind: 'step', mode: 'tier', target: p.target };
    return { kind: 'step', mode: 'section', target: fit.id };
  }
  if (p.mode !== 'tier' || (p.together && q > 1)) return none;
  const spill = candidates.filter((c) => c.kind === 'reserved' && num(counts, `f:${c.id}`) > 0).map((c) => ({ id: c.id, ord: c.ord, free: num(counts, `f:${c.id}`) }));
  if (spill.reduce((a, c) => a + c.free, 0) >= q) return { kind: 'spill', sections: spill };
  return none;
}

export class PlacementHints {
  private readonly cache = new Map<string, { at: number; value: Promise<ShardCounts[]> }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly maxAgeMs = 100,
  ) {}

  /** Every shard's counters (index = shard), at most `maxAgeMs` old. */
  counts(saleId: string, shards: number): Promise<ShardCounts[]> {
    const hit = this.cache.get(saleId);
    if (hit && Date.now() - hit.at < this.maxAgeMs) return hit.value;
    const value = Promise.all(Array.from({ length: shards }, (_, k) => this.redis.hgetall(shardKeys(saleId, k).counts)));
    if (this.maxAgeMs > 0) {
      this.cache.set(saleId, { at: Date.now(), value });
      value.catch(() => this.cache.delete(saleId));
    }
    return value;
  }

  /** This request's own read of the counters it needs (f/h/c of its candidate sections on each shard), for a verdict that must not be stale. */
  async freshCounts(saleId: string, layout: SaleLayout, p: Extract<PlacementRequest, { mode: 'section' | 'tier' }>): Promise<ShardCounts[]> {
    const ids = layout.sections.filter((s) => (p.mode === 'section' ? s.id === p.target : s.tierCode === p.target)).map((s) => s.id);
    const fields = ids.flatMap((id) => [`f:${id}`, `h:${id}`, `c:${id}`]);
    if (fields.length === 0) return Array.from({ length: layout.shards }, () => ({}));
    const values = await Promise.all(Array.from({ length: layout.shards }, (_, k) => this.redis.hmget(shardKeys(saleId, k).counts, ...fields)));
    return values.map((v) => Object.fromEntries(fields.flatMap((f, j) => (v[j] === null || v[j] === undefined ? [] : [[f, v[j]!]]))));
  }

  /** A hint proved wrong (a step missed where it said "fits"): the next caller reads afresh. */
  stale(saleId: string): void {
    this.cache.delete(saleId);
  }

  /**
   * `q` free seats of shard `k` across `sections`, best first (lowest score first within each
   * section, sections in venue order); fewer when the counters were ahead of the seats.
   */
  async spillSeats(saleId: string, k: number, sections: { ord: number; free: number }[], q: number): Promise<string[]> {
    const free = shardKeys(saleId, k).free;
    // the first sections (venue order) whose counters add up to q, read together
    const take: { ord: number; free: number }[] = [];
    let enough = 0;
    for (const s of [...sections].sort((a, b) => a.ord - b.ord)) {
      if (enough >= q) break;
      take.push(s);
      enough += s.free;
    }
    const lists = await Promise.all(take.map((s) => {
      const [min, max] = sectionScoreRange(s.ord);
      return this.redis.zrangebyscore(free, min, max, 'LIMIT', 0, q);
    }));
    return lists.flat().slice(0, q);
  }
}
