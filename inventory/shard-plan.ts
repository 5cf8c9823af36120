/**
 * Splits a sale's seat map into S shard pools (pure; tested on its own).
 *
 * Whole rows go to one shard, so "N together" is one script on one shard; each row goes to the
 * shard with the fewest seats so far, which balances seat counts and gives every shard a slice of
 * every section (any shard can serve "best in section X"). General admission is a counter per
 * shard, split as evenly as possible. Deterministic: the same seat map gives the same plan, which
 * rebuild relies on (a hold id names its shard).
 */
import type { SaleLayout } from './sale-layout.js';
import type { SaleSource, SeatRow } from './sale-source.js';

export interface ShardSpec {
  /** meta hash as [field, value, …] */
  meta: string[];
  /** [seat id, info, state, score] */
  seats: [string, string, string, number][];
  /** counts hash as [field, value, …] */
  counts: string[];
}

export interface SalePlan {
  layout: SaleLayout;
  shards: ShardSpec[];
  seatShard: Map<number, number>;
}

/** Sold places to carry over (rebuild): reserved seat → jti of its hold, GA section → sold per shard. */
export interface SoldOverlay {
  seats: Map<number, string>;
  ga: Map<string, number[]>;
}

const SECTION_SPAN = 100_000_000;
const ROW_SPAN = 10_000;

/** The score range of section `ord` in a shard's free ZSET (score = ord × SECTION_SPAN + row × ROW_SPAN + position). */
export function sectionScoreRange(ord: number): [number, number] {
  return [ord * SECTION_SPAN, (ord + 1) * SECTION_SPAN - 1];
}

export function planSale(source: SaleSource, sold: SoldOverlay = { seats: new Map(), ga: new Map() }): SalePlan {
  const S = source.sale.shardCount;
  const shardSeats = Array.from({ length: S }, () => 0);
  const shards: ShardSpec[] = Array.from({ length: S }, () => ({ meta: [], seats: [], counts: [] }));
  const seatShard = new Map<number, number>();
  const sections: SaleLayout['sections'] = [];
  const bySection = new Map<string, SeatRow[]>();
  for (const seat of source.seats) {
    const list = bySection.get(seat.sectionId) ?? [];
    list.push(seat);
    bySection.set(seat.sectionId, list);
  }

  source.sections.forEach((section, ord) => {
    const perShard = Array.from({ length: S }, () => 0);
    const counts = Array.from({ length: S }, () => ({ f: 0, s: 0 }));
    let tier = section.tierCode;
    if (section.kind === 'ga') {
      const soldHere = sold.ga.get(section.id) ?? [];
      for (let k = 0; k < S; k++) {
        perShard[k] = Math.floor(section.capacity / S) + (k < section.capacity % S ? 1 : 0);
        const s = soldHere[k] ?? 0;
        if (s > perShard[k]!) throw new Error(`section ${section.name}: ${s} sold on shard ${k} but only ${perShard[k]} places there`);
        counts[k] = { f: perShard[k]! - s, s };
      }
    } else {
      const seats = bySection.get(section.id) ?? [];
      const rows = new Map<string, SeatRow[]>(); // insertion order = order of the rows' first seat id
      for (const seat of seats) {
        tier ??= seat.tierCode;
        if (seat.tierCode !== tier) throw new Error(`section ${section.name} mixes price tiers (${tier}, ${seat.tierCode}); one tier per section is supported`);
        rows.set(seat.rowLabel, [...(rows.get(seat.rowLabel) ?? []), seat]);
      }
      [...rows.values()].forEach((row, rowOrd) => {
        if (rowOrd >= ROW_SPAN - 1) throw new Error(`section ${section.name}: more than ${ROW_SPAN - 2} rows`);
        let k = 0;
        for (let j = 1; j < S; j++) if (shardSeats[j]! < shardSeats[k]!) k = j;
        shardSeats[k] = shardSeats[k]! + row.length;
        perShard[k] = perShard[k]! + row.length;
        for (const seat of row.sort((a, b) => a.position - b.position)) {
          if (seat.position < 1 || seat.position >= ROW_SPAN - 1) throw new Error(`seat ${seat.id}: position must be 1–${ROW_SPAN - 2}`);
          const score = ord * SECTION_SPAN + rowOrd * ROW_SPAN + seat.position;
          const label = `${section.name}, row ${seat.rowLabel}, seat ${seat.number}`;
          const jti = sold.seats.get(seat.id);
          shards[k]!.seats.push([String(seat.id), `${section.id}|${seat.tierCode}|${score}|${rowOrd}|${seat.position}|${label}`, jti ? `S:${jti}` : 'F', score]);
          seatShard.set(seat.id, k);
          if (jti) counts[k]!.s++;
          else counts[k]!.f++;
        }
      });
    }
    const tierCode = tier ?? 'NONE';
    const capacity = perShard.reduce((a, b) => a + b, 0);
    sections.push({ id: section.id, name: section.name, kind: section.kind, tierCode, capacity, perShard });
    for (let k = 0; k < S; k++) {
      if (perShard[k] === 0) continue;
      const c = counts[k]!;
      shards[k]!.meta.push(`sec:${section.id}`, `${ord}|${section.kind}|${tierCode}|${section.name}`);
      shards[k]!.counts.push(`cap:${section.id}`, String(perShard[k]), `f:${section.id}`, String(c.f), `h:${section.id}`, '0', `c:${section.id}`, '0', `s:${section.id}`, String(c.s));
    }
  });

  const { sale } = source;
  const onSale = ['open', 'published', 'paused'].includes(sale.status) ? '1' : '0';
  for (let k = 0; k < S; k++) {
    const meta = shards[k]!.meta;
    meta.push('sale', sale.saleId, 'shard', String(k), 'currency', sale.currency, 'hold_s', String(sale.holdSeconds),
      'grace_s', String(sale.graceSeconds), 'limit', String(sale.perFanLimit), 'on_sale', onSale,
      'opens_ms', String(sale.opensMs), 'closes_ms', String(sale.closesMs));
    for (const t of source.tiers) meta.push(`price:${t.code}`, String(t.priceMinor));
    const tierSections = new Map<string, string[]>();
    for (const sec of sections) {
      if (sec.perShard[k] === 0) continue;
      tierSections.set(sec.tierCode, [...(tierSections.get(sec.tierCode) ?? []), sec.id]);
    }
    for (const [code, ids] of tierSections) meta.push(`tier:${code}`, ids.join(','));
  }

  const layout: SaleLayout = {
    saleId: sale.saleId,
    eventId: sale.eventId,
    shards: S,
    perFanLimit: sale.perFanLimit,
    currency: sale.currency,
    holdSeconds: sale.holdSeconds,
    graceSeconds: sale.graceSeconds,
    sections,
    tiers: source.tiers,
  };
  return { layout, shards, seatShard };
}
