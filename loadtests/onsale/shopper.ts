/**
 * One admitted fan's shopping, through the API as the checkout page drives it: availability, a hold
 * (best available by tier, together in a row, or explicit seats — chosen on the seat map from the
 * live seat states when the process has the map: revalidate the cached map, 304, then read the
 * states and click a run of free seats), then pay (checkout + demo
 * payment, then wait for the order) or change of mind (release). Routes and bodies come from the
 * shared fixture, like the k6 scripts'.
 */
import { bestHoldBody, checkoutBody, pathOf, quantityWeights, seatsHoldBody, weighted, type HoldBody } from '../k6/lib/usher-api.js';
import type { HttpJson } from './http-json.js';
import type { Outcome, OrderedHold, ShopperMix } from './fan-plan.js';
import type { SectionInfo } from './sale-setup.js';
import { pickFreeRun, statesOf, type SeatMapView } from './seat-map-view.js';

const ORDER_WAIT_MS = 90_000;
const POLL_MS = 500;
const ALL_HELD_RETRIES = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ShopperContext {
  http: HttpJson;
  saleId: string;
  sections: SectionInfo[];
  mix: ShopperMix;
  random: () => number;
  /** How long one step is retried while the API answers 503 (an outage) or nothing; 0: not retried. */
  retryUnavailableMs?: number;
  onHeld?(): void;
  onPaid(holdId: string): void;
  /** The seat map this fan's browser has cached (null until the process fetched it). */
  seatMap?: () => SeatMapView | null;
}

type Ask = HttpJson['request'];

/** A shed request (503 overloaded) is retried after its Retry-After this many times, as a fan clicks again. */
const SHED_RETRIES = 3;

/**
 * The API as the shopper sees it: a request the API shed (503 `overloaded` with Retry-After, the
 * documented answer to a rush) is sent again after the time it names; a step that meets an outage
 * is tried again for a while when `retryUnavailableMs` says so, as the checkout page does.
 */
function asker(ctx: ShopperContext): Ask {
  const patience = ctx.retryUnavailableMs ?? 0;
  const send: Ask = async (...args) => {
    for (let attempt = 0; ; attempt++) {
      const res = await ctx.http.request(...args);
      const shed = res.status === 503 && res.retryAfterS !== undefined && (res.body as { code?: string } | null)?.code === 'overloaded';
      if (!shed || attempt >= SHED_RETRIES) return res;
      await sleep(res.retryAfterS! * 1000 * (1 + ctx.random() * 0.5));
    }
  };
  if (patience <= 0) return send;
  return async (...args) => {
    const deadline = Date.now() + patience;
    for (;;) {
      const res = await send(...args);
      if ((res.status !== 503 && res.status !== 0) || Date.now() > deadline) return res;
      await sleep(250 + ctx.random() * 250);
    }
  };
}

function pick<T>(list: T[], r: number): T | undefined {
  return list[Math.floor(r * list.length)];
}

/** The fan's first wish. */
export function wish(ctx: Pick<ShopperContext, 'sections' | 'mix' | 'random'>): { body: HoldBody; fallback: HoldBody; sectionId: string; quantity: number } {
  const rnd = ctx.random;
  const quantity = weighted(ctx.mix.quantities ?? quantityWeights, rnd());
  // fans spread over the venue as its places are: a uniform pick over sections would send a
  // 20,000-place floor 1 fan in 61 at 50,000 seats (demand for ~1,900 places) and never sell it out
  const section = weighted(ctx.sections.map((s) => [s, s.capacity] as const), rnd());
  const fallback = bestHoldBody({ tierCode: section.tierCode, quantity });
  if (section.kind === 'reserved' && quantity <= 4 && rnd() < ctx.mix.explicitSeats) {
    const row = pick(section.rows, rnd()) ?? [];
    const start = Math.floor(rnd() * Math.max(1, row.length - quantity + 1));
    const seats = row.slice(start, start + quantity);
    if (seats.length === quantity) return { body: seatsHoldBody(seats), fallback, sectionId: section.id, quantity };
  }
  if (section.kind === 'reserved' && rnd() < ctx.mix.together) return { body: bestHoldBody({ sectionId: section.id, quantity, together: true }), fallback, sectionId: section.id, quantity };
  return { body: fallback, fallback, sectionId: section.id, quantity };
}

/** Seats clicked on the map from the live states; null when the map or the states are not to be had, or no run is free. */
async function chooseOnMap(ctx: ShopperContext, ask: Ask, sectionId: string, quantity: number): Promise<number[] | null> {
  const view = ctx.seatMap?.();
  const rows = view?.rows.get(sectionId);
  if (!view || !rows) return null;
  const sale = { sale: ctx.saleId };
  await ask('seatMap', 'GET', pathOf('seatMap', sale), { headers: { 'if-none-match': view.etag } });
  const res = await ask('seatStates', 'GET', pathOf('seatStates', sale));
  const states = res.status === 200 ? statesOf(res.body) : null;
  return states ? pickFreeRun(rows, states, quantity, ctx.random) : null;
}

interface HoldAnswer {
  holdId: string;
  items: { seatId: number | null }[];
}

async function hold(ctx: ShopperContext, ask: Ask, pass: string, body: HoldBody, fallback: HoldBody): Promise<HoldAnswer | Outcome> {
  let current = body;
  for (let attempt = 0; ; attempt++) {
    const res = await ask('hold', 'POST', pathOf('hold', { sale: ctx.saleId }), { token: pass, body: current });
    if (res.status === 201) return res.body as HoldAnswer;
    const code = (res.body as { code?: string } | null)?.code;
    if (code === 'sold_out') return 'no_seats';
    // taken seats or no row with room: ask for the same number anywhere in the tier
    if (current !== fallback && (code === 'seat_taken' || code === 'not_together')) {
      current = fallback;
      continue;
    }
    // every seat held by someone: some come back when holds are released or expire
    if (code === 'all_held' && attempt < ALL_HELD_RETRIES) {
      await sleep(2000 + ctx.random() * 2000);
      continue;
    }
    return code === 'all_held' ? 'no_seats' : 'failed';
  }
}

export async function shop(ctx: ShopperContext, pass: string, who: string): Promise<{ outcome: Outcome; order?: OrderedHold }> {
  const ask = asker(ctx);
  await ask('availability', 'GET', pathOf('availability', { sale: ctx.saleId }));
  const w = wish(ctx);
  let body = w.body;
  if (body.kind === 'seats' && ctx.seatMap) {
    const chosen = await chooseOnMap(ctx, ask, w.sectionId, w.quantity);
    body = chosen ? seatsHoldBody(chosen) : w.fallback;
  }
  const held = await hold(ctx, ask, pass, body, w.fallback);
  if (typeof held === 'string') return { outcome: held };
  ctx.onHeld?.();
  const id = { id: held.holdId };
  if (ctx.random() >= ctx.mix.pay) {
    const res = await ask('holdRelease', 'DELETE', pathOf('holdRelease', id), { token: pass });
    return { outcome: res.status === 200 ? 'released' : 'failed' };
  }
  const checkout = await ask('checkout', 'POST', pathOf('checkout', id), { token: pass, body: checkoutBody(who) });
  if (checkout.status !== 200) return { outcome: 'failed' };
  const paid = await ask('demoPay', 'POST', pathOf('demoPay', id), { token: pass });
  if (paid.status !== 202) return { outcome: 'failed' };
  ctx.onPaid(held.holdId);
  const deadline = Date.now() + ORDER_WAIT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const res = await ask('holdRead', 'GET', pathOf('holdRead', id), { token: pass });
    const view = res.body as { state?: string; orderId?: string | null; items?: { seatId: number | null }[] } | null;
    // the seats were lost to expiry and the payment voided: allowed, never charged
    if (res.status === 200 && view?.state === 'LOST') return { outcome: 'voided' };
    if (res.status === 200 && view?.orderId && view.state === 'SOLD') {
      const items = view.items ?? held.items;
      return {
        outcome: 'ordered',
        order: { holdId: held.holdId, seatIds: items.flatMap((i) => (i.seatId === null ? [] : [i.seatId])), gaPlaces: items.filter((i) => i.seatId === null).length },
      };
    }
  }
  return { outcome: 'unconfirmed' };
}
