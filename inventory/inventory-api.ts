/**
 * The contract between the inventory (Redis Lua seat pools) and its users (the API's hold routes,
 * the commit worker, the reconciler, admin publish, the load test). `inventory/` implements it;
 * `checkout/` depends only on these types and `createSeatInventory`.
 *
 * Hold lifecycle: FREE → HELD → CLAIMED → SOLD, and HELD → FREE on release or expiry.
 * Seat ids are the Postgres `seats.id` (reserved seating); general admission has no seat id.
 */
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import type { Logger } from '../common/logger.js';

export type HoldState = 'HELD' | 'CLAIMED' | 'SOLD' | 'RELEASED' | 'EXPIRED';

/** What the fan asks for. */
export type HoldRequest =
  | {
      kind: 'best';
      /** One of section or tier (reserved or GA). */
      sectionId?: string;
      tierCode?: string;
      quantity: number;
      /** Reserved seating: all seats adjacent in one row. */
      together?: boolean;
    }
  | { kind: 'seats'; seatIds: number[] };

export interface HeldItem {
  sectionId: string;
  tierCode: string;
  /** null for general admission */
  seatId: number | null;
  /** e.g. "Block A, row C, seat 12" or "Floor (standing)" */
  label: string;
  priceMinor: number;
}

export interface Hold {
  /** Public id: derived from the pass jti and the shard it landed on; also the order id. */
  holdId: string;
  saleId: string;
  shard: number;
  state: HoldState;
  items: HeldItem[];
  amountMinor: number;
  currency: string;
  /** Redis TIME based, ms since the epoch. */
  deadlineMs: number;
  /** The payment grace was granted (extend happens at most once). */
  extended: boolean;
  /** The admission pass this hold belongs to. */
  passJti: string;
}

export interface Availability {
  saleId: string;
  /** ISO 4217 code of every price of the sale (amounts in its minor unit). */
  currency: string;
  sections: {
    sectionId: string;
    name: string;
    kind: 'reserved' | 'ga';
    tierCode: string | null;
    tierName: string | null;
    priceMinor: number | null;
    capacity: number;
    free: number;
    held: number;
    claimed: number;
    sold: number;
  }[];
  /** 'on_sale' | 'all_held' (nothing free, some held: may come back) | 'sold_out' */
  status: 'on_sale' | 'all_held' | 'sold_out';
}

/** Every reserved seat's state, per shard (seat id → F free, H held or claimed, S sold). */
export interface SeatStates {
  saleId: string;
  /** Changes whenever any seat of the sale changes state (the shards' versions joined). */
  version: string;
  shards: ReadonlyMap<number, 'F' | 'H' | 'S'>[];
  /** What this read cost Redis: one HGET per shard, one HGETALL per changed shard. */
  reads: { versions: number; shards: number };
}

/** One hold's own result inside a batch call: its value, or the error the one-hold call would have thrown. */
export type PerHold<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Result of `claim`: the single linearization point between a payment and expiry. */
export type ClaimResult =
  /** Hold was HELD (or already CLAIMED by an earlier attempt of the same commit): commit it. */
  | { outcome: 'claimed'; hold: Hold }
  /** Hold record was lost (expired and swept, or Redis lost it) but the same seats were free and are now CLAIMED. */
  | { outcome: 'reacquired'; hold: Hold }
  /** Already SOLD (finalize ran): nothing to do but make sure Postgres says so. */
  | { outcome: 'already_sold'; hold: Hold }
  /** Hold expired and its seats went to someone else: void the payment, the fan gets nothing and pays nothing. */
  | { outcome: 'lost' };

export interface ExpectedHold {
  /** What the payment was for (from Postgres/PaymentIntent metadata), used to reacquire a lost hold. */
  items: Pick<HeldItem, 'sectionId' | 'seatId' | 'tierCode' | 'priceMinor' | 'label'>[];
  passJti: string;
  amountMinor: number;
  currency: string;
}

export interface SweepReport {
  expired: number;
  /** The passes whose holds this sweep expired: their leases can end, freeing shopper slots. */
  expiredPasses: { saleId: string; passJti: string }[];
  /** CLAIMED holds older than the claim timeout: for the reconciler, never freed by the sweeper. */
  staleClaims: { saleId: string; holdId: string; claimedAtMs: number }[];
}

export interface SeatInventory {
  /** Builds the sale's shard pools from the Postgres seat map. Idempotent: a second publish adds nothing. */
  publish(saleId: string): Promise<{ shards: number; capacity: number; alreadyPublished: boolean }>;
  /** One live hold per pass: repeating the same request with the same pass returns the same hold. */
  hold(saleId: string, passJti: string, request: HoldRequest): Promise<Hold>;
  getHold(holdId: string): Promise<Hold | null>;
  /** Payment grace: once, bounded by the sale's payment_grace_seconds. Idempotent. */
  extend(holdId: string): Promise<Hold>;
  /** HELD → FREE. Idempotent ('already' when not HELD any more). */
  release(holdId: string): Promise<'released' | 'already'>;
  claim(holdId: string, expected: ExpectedHold): Promise<ClaimResult>;
  /** `claim` for a group commit's holds: one script call per shard (a batch of one: claim's own); each hold answered (or refused) as `claim` alone would. */
  claimMany(claims: { holdId: string; expected: ExpectedHold }[]): Promise<Map<string, PerHold<ClaimResult>>>;
  /** CLAIMED → SOLD. Idempotent. */
  finalize(holdId: string): Promise<void>;
  /** `finalize` for a group commit's holds: one script call per shard (a batch of one: finalize's own); each hold settles on its own. */
  finalizeMany(holdIds: string[]): Promise<Map<string, PerHold<void>>>;
  /** CLAIMED → FREE when the commit could not complete (payment failed after claim). Idempotent. */
  unclaim(holdId: string): Promise<void>;
  /** SOLD seats of a cancelled order go back on sale. Idempotent per order (holdId). */
  restock(holdId: string, items: Pick<HeldItem, 'sectionId' | 'seatId'>[]): Promise<void>;
  availability(saleId: string): Promise<Availability>;
  /** Every reserved seat's state, from Redis only; concurrent callers share one read. */
  seatStates(saleId: string): Promise<SeatStates>;
  /** Opens or closes holding on every shard of the sale (admin close / reopen). */
  setOnSale(saleId: string, onSale: boolean): Promise<void>;
  /** Every published sale, or only `saleIds` (tests: a sweep with a future clock must not touch other sales). */
  sweep(nowMs?: number, saleIds?: string[]): Promise<SweepReport>;
  /** Conservation and state checks of Redis against Postgres; see `npm run audit`. */
  audit(saleId: string): Promise<AuditReport>;
}

export interface AuditReport {
  saleId: string;
  ok: boolean;
  /** One line per violation: oversold section, seat in two states or two holds, sold ≠ live tickets, … */
  violations: string[];
  totals: { capacity: number; free: number; held: number; claimed: number; sold: number; liveTickets: number };
}

/**
 * The inventory's typed error codes, by where they come from. `inventory/inventory-errors.ts` turns
 * script answers into them and `checkout/api/domain-problems.ts` gives each its HTTP status;
 * `inventory/inventory-errors.unit.test.ts` holds the first two lists to what `inventory/lua/` answers.
 */
/** The codes the Lua scripts refuse with (`error_reply('USHER:<code>')`); the TS checks use some too. */
export const scriptErrorCodes = [
  'bad_quantity', 'duplicate_seat', 'hold_expired', 'hold_not_found', 'over_limit', 'sale_not_open', 'unknown_sale', 'unknown_seat', 'wrong_state',
] as const;
/** Why a shard missed (holdSeats' `{'miss', round, reason}`), when every shard missed. */
export const missErrorCodes = ['sold_out', 'all_held', 'not_together', 'seat_taken'] as const;
/** Refused in TypeScript before any script runs: the request names no section or tier of the sale. */
export const requestErrorCodes = ['unknown_section'] as const;

export type InventoryErrorCode = (typeof scriptErrorCodes)[number] | (typeof missErrorCodes)[number] | (typeof requestErrorCodes)[number];

/**
 * `inventory/index.ts` exports `createSeatInventory: CreateSeatInventory`. The deps are the
 * process's shared connections; the instance is cheap (scripts are defined on the client once).
 */
export interface SeatInventoryDeps {
  redis: RedisClient;
  pg: PgPool;
  log?: Logger;
  /** CLAIMED holds older than this are reported by sweep() for reconciliation. */
  claimTimeoutS?: number;
  /** Holds expired per shard per sweep. */
  sweepBatch?: number;
}

export type CreateSeatInventory = (deps: SeatInventoryDeps) => SeatInventory;
