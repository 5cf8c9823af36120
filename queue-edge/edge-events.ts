/**
 * The sale channel (Redis pub/sub; sharded on a cluster, see admission/sale-channel.ts) as this edge
 * hears it: offers and passes go to the fan's sockets wherever the fan is connected; the opening
 * shuffle tells pre-queue fans their ticket; an operator's action on a fan (revoke, remove, ban)
 * closes that fan's sockets here with an end-state message; a control change triggers an immediate tick so it
 * reaches fans at once (the settings are re-read each tick anyway, so a lost message delays a
 * change by at most one tick).
 *
 * A socket hears `queued` with its ticket before its `offer`. A pre-queue fan learns the ticket from
 * the opening shuffle, but the tick that follows the shuffle may offer the first fans before this
 * edge has read their tickets back: such an offer (it carries the ticket) is preceded by the
 * `queued` the fan has not had yet.
 *
 * Pub/sub delivers at most once: a message published while the subscriber reconnects (a Redis
 * restart, a failover, a slot move) is gone. A lost offer would lapse untaken and cost the fan
 * their turn, so every OFFER_CATCH_UP_MS the edge also reads the sale's outstanding offers (one
 * ZRANGEBYSCORE, bounded by rate × offer TTL, not by fans) and tells any fan here who has not
 * heard of theirs; pre-queue fans still without a ticket after the shuffle (its message lost) are
 * told theirs then too. A lost `admitted` heals itself (the fan's `take` answers with the pass).
 */
import { z } from 'zod';
import { queueKeys } from '../admission/queue-keys.js';
import { openSaleChannelSubscriber } from '../admission/sale-channel.js';
import type { EdgeCore } from './edge-core.js';
import type { SaleRoom } from './fan-registry.js';
import { sendTo } from './fan-registry.js';
import { checkoutUrl, removalDetail, REMOVED_CLOSE_CODE } from './edge-protocol.js';
import { storedPlace, type Place } from '../admission/visitor-place.js';

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('offers'), offers: z.array(z.object({ visitor: z.string(), ticket: z.number(), deadline: z.number() })) }),
  z.object({ type: z.literal('admitted'), visitor: z.string(), pass: z.string(), exp: z.number() }),
  z.object({ type: z.literal('shuffled'), seed: z.string(), count: z.number() }),
  z.object({ type: z.literal('control') }).passthrough(),
  z.object({ type: z.literal('committed'), count: z.number(), commitment: z.string() }),
  z.object({ type: z.literal('fan'), action: z.enum(['revoke', 'remove', 'ban']), visitor: z.string() }),
]);
const removalOf = { revoke: 'pass_revoked', remove: 'removed', ban: 'banned' } as const;

const HMGET_CHUNK = 1000;
export const OFFER_CATCH_UP_MS = 2000;

export interface SaleEvents {
  watch(room: SaleRoom): void;
  /** Tells fans here what a lost pub/sub message would have told them: outstanding offers, tickets from the shuffle. */
  catchUp(room: SaleRoom): Promise<void>;
  close(): Promise<void>;
}

export function saleEvents(core: EdgeCore, tickNow: (saleId: string) => Promise<void>): SaleEvents {
  const subscriber = openSaleChannelSubscriber(core.redis, { log: core.log, connectionName: `usher-sale-channel-${core.edgeId}` });
  const rooms = new Map<string, SaleRoom>();
  /** Per sale: visitor → deadline of the offer this edge told them of; only outstanding offers. */
  const offersTold = new Map<string, Map<string, number>>();

  /** A pre-queue fan's ticket, once: the first `queued` with it wins (the shuffle's read-back or the fan's offer). */
  function tellTicket(room: SaleRoom, visitor: string, ticket: number): void {
    if (!room.prequeued.delete(visitor)) return;
    for (const ws of room.socketsOf(visitor)) sendTo(ws, { v: 1, type: 'queued', state: 'waiting', ticket });
  }

  /** `ticket` undefined: not known here (a catch-up read): a fan still to be told theirs must wait for it. */
  function tellOffer(room: SaleRoom, visitor: string, deadline: number, ticket: number | undefined): void {
    const sockets = room.socketsOf(visitor);
    if (sockets.length === 0) return;
    if (room.prequeued.has(visitor)) {
      if (ticket === undefined) return;
      tellTicket(room, visitor, ticket);
    }
    let told = offersTold.get(room.saleId);
    if (!told) offersTold.set(room.saleId, (told = new Map()));
    if (told.get(visitor) === deadline) return;
    told.set(visitor, deadline);
    for (const ws of sockets) sendTo(ws, { v: 1, type: 'offer', deadline });
  }

  /** The stored places of `visitors`, HMGET_CHUNK at a time. */
  async function placesOf(room: SaleRoom, visitors: string[], each: (visitor: string, place: Place | null) => void): Promise<void> {
    for (let i = 0; i < visitors.length; i += HMGET_CHUNK) {
      const chunk = visitors.slice(i, i + HMGET_CHUNK);
      const raws = await core.redis.hmget(queueKeys(room.saleId).visitors, ...chunk);
      chunk.forEach((visitor, j) => {
        const raw = raws[j];
        each(visitor, raw ? storedPlace(raw) : null);
      });
    }
  }

  /** After the shuffle: every pre-queue fan here learns the ticket it was given (or, gone from the queue, stops waiting for one). */
  async function tellTickets(room: SaleRoom): Promise<void> {
    await placesOf(room, [...room.prequeued], (visitor, place) => {
      if (place?.state === 'prequeue') return; // cannot be after the shuffle; the next catch-up looks again
      if (place?.state === 'waiting' || place?.state === 'offer') tellTicket(room, visitor, place.ticket);
      else room.prequeued.delete(visitor); // admitted elsewhere, or lapsed: no ticket to tell
    });
  }

  async function catchUp(room: SaleRoom): Promise<void> {
    const now = Date.now();
    const told = offersTold.get(room.saleId);
    if (told) for (const [visitor, deadline] of told) if (deadline <= now) told.delete(visitor);
    if (room.connected === 0) return;
    if (room.prequeued.size > 0 && room.last?.seed) await tellTickets(room); // the shuffle has run: its message was lost
    const open = await core.redis.zrangebyscore(queueKeys(room.saleId).offers, now, '+inf', 'WITHSCORES');
    const offers: { visitor: string; deadline: number; ticket?: number }[] = [];
    for (let i = 0; i + 1 < open.length; i += 2) offers.push({ visitor: open[i]!, deadline: Number(open[i + 1]) });
    const unticketed = offers.filter((o) => room.prequeued.has(o.visitor) && room.socketsOf(o.visitor).length > 0);
    if (unticketed.length > 0) {
      const byVisitor = new Map(unticketed.map((o) => [o.visitor, o]));
      await placesOf(room, [...byVisitor.keys()], (visitor, place) => {
        if (place?.state === 'offer') byVisitor.get(visitor)!.ticket = place.ticket;
      });
    }
    for (const o of offers) tellOffer(room, o.visitor, o.deadline, o.ticket);
  }

  function dispatch(room: SaleRoom, text: string): void {
    const parsed = eventSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return core.log.warn({ saleId: room.saleId }, 'unrecognised sale event');
    const event = parsed.data;
    switch (event.type) {
      case 'offers':
        for (const offer of event.offers) tellOffer(room, offer.visitor, offer.deadline, offer.ticket);
        return;
      case 'admitted':
        for (const ws of room.socketsOf(event.visitor)) {
          const data = ws.getUserData();
          if (data.admittedSent) continue;
          data.admittedSent = true;
          sendTo(ws, { v: 1, type: 'admitted', pass: event.pass, exp: event.exp, checkoutUrl: checkoutUrl(core.config.http.publicApiUrl, room.saleId, event.pass) });
        }
        return;
      case 'shuffled':
        void tellTickets(room).catch((err: unknown) => core.log.warn({ err }, 'could not tell pre-queue fans their tickets'));
        return;
      case 'fan': { // an operator acted on this fan: every socket of theirs here hears the end state and closes
        const reason = removalOf[event.action];
        for (const ws of [...room.socketsOf(event.visitor)]) {
          sendTo(ws, { v: 1, type: 'removed', reason, detail: removalDetail[reason] });
          if (!ws.getUserData().closed) ws.cork(() => ws.end(REMOVED_CLOSE_CODE, 'removed by the organiser'));
        }
        room.prequeued.delete(event.visitor);
        offersTold.get(room.saleId)?.delete(event.visitor);
        return;
      }
      case 'control':
      case 'committed': // the pre-queue closed: every edge ticks, so its fans see the draw's progress at once
        void tickNow(room.saleId);
        return;
    }
  }

  subscriber.onMessage((channel, text) => {
    const room = rooms.get(channel);
    if (!room) return;
    try {
      dispatch(room, text);
    } catch (err) {
      core.log.warn({ err, channel }, 'sale event failed');
    }
  });

  const catchUpTimer = setInterval(() => {
    for (const room of rooms.values()) void catchUp(room).catch((err: unknown) => core.log.warn({ err, saleId: room.saleId }, 'sale channel catch-up failed'));
  }, OFFER_CATCH_UP_MS);
  catchUpTimer.unref();

  return {
    watch(room) {
      const channel = queueKeys(room.saleId).channel;
      rooms.set(channel, room);
      room.ready = subscriber.subscribe(channel).catch((err: unknown) => core.log.error({ err, channel }, 'could not subscribe to the sale channel'));
    },
    catchUp,
    async close() {
      clearInterval(catchUpTimer);
      subscriber.close();
    },
  };
}
