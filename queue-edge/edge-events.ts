/**
 * The sale channel (Redis pub/sub; sharded on a cluster, see admission/sale-channel.ts) as this edge
 * hears it: offers and passes go to the fan's sockets wherever the fan is connected; the opening
 * shuffle tells pre-queue fans their ticket; a control change triggers an immediate tick so it
 * reaches fans at once (the settings are re-read each tick anyway, so a lost message delays a
 * change by at most one tick).
 *
 * Pub/sub delivers at most once: a message published while the subscriber reconnects (a Redis
 * restart, a failover, a slot move) is gone. A lost offer would lapse untaken and cost the fan
 * their turn, so every OFFER_CATCH_UP_MS the edge also reads the sale's outstanding offers (one
 * ZRANGEBYSCORE, bounded by rate × offer TTL, not by fans) and tells any fan here who has not
 * heard of theirs. A lost `admitted` heals itself (the fan's `take` answers with the pass).
 */
import { z } from 'zod';
import { queueKeys } from '../admission/queue-keys.js';
import { openSaleChannelSubscriber } from '../admission/sale-channel.js';
import type { EdgeCore } from './edge-core.js';
import type { SaleRoom } from './fan-registry.js';
import { sendTo } from './fan-registry.js';
import { checkoutUrl } from './edge-protocol.js';
import { storedPlace } from './visitor-place.js';

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('offers'), offers: z.array(z.object({ visitor: z.string(), deadline: z.number() })) }),
  z.object({ type: z.literal('admitted'), visitor: z.string(), pass: z.string(), exp: z.number() }),
  z.object({ type: z.literal('shuffled'), seed: z.string(), count: z.number() }),
  z.object({ type: z.literal('control') }).passthrough(),
]);

const HMGET_CHUNK = 1000;
export const OFFER_CATCH_UP_MS = 2000;

export interface SaleEvents {
  watch(room: SaleRoom): void;
  /** Tells fans here of outstanding offers they have not heard of (a lost pub/sub message). */
  catchUpOffers(room: SaleRoom): Promise<void>;
  close(): Promise<void>;
}

export function saleEvents(core: EdgeCore, tickNow: (saleId: string) => Promise<void>): SaleEvents {
  const subscriber = openSaleChannelSubscriber(core.redis, { log: core.log, connectionName: `usher-sale-channel-${core.edgeId}` });
  const rooms = new Map<string, SaleRoom>();
  /** Per sale: visitor → deadline of the offer this edge told them of; only outstanding offers. */
  const offersTold = new Map<string, Map<string, number>>();

  function tellOffer(room: SaleRoom, visitor: string, deadline: number): void {
    const sockets = room.socketsOf(visitor);
    if (sockets.length === 0) return;
    let told = offersTold.get(room.saleId);
    if (!told) offersTold.set(room.saleId, (told = new Map()));
    if (told.get(visitor) === deadline) return;
    told.set(visitor, deadline);
    for (const ws of sockets) sendTo(ws, { v: 1, type: 'offer', deadline });
  }

  async function catchUpOffers(room: SaleRoom): Promise<void> {
    const now = Date.now();
    const told = offersTold.get(room.saleId);
    if (told) for (const [visitor, deadline] of told) if (deadline <= now) told.delete(visitor);
    if (room.connected === 0) return;
    const open = await core.redis.zrangebyscore(queueKeys(room.saleId).offers, now, '+inf', 'WITHSCORES');
    for (let i = 0; i + 1 < open.length; i += 2) tellOffer(room, open[i]!, Number(open[i + 1]));
  }

  async function tellTickets(room: SaleRoom): Promise<void> {
    const visitors = [...room.prequeued];
    room.prequeued.clear();
    for (let i = 0; i < visitors.length; i += HMGET_CHUNK) {
      const chunk = visitors.slice(i, i + HMGET_CHUNK);
      const states = await core.redis.hmget(queueKeys(room.saleId).visitors, ...chunk);
      chunk.forEach((visitor, j) => {
        const raw = states[j];
        const place = raw ? storedPlace(raw) : null;
        if (place?.state !== 'waiting') return;
        for (const ws of room.socketsOf(visitor)) sendTo(ws, { v: 1, type: 'queued', state: 'waiting', ticket: place.ticket });
      });
    }
  }

  function dispatch(room: SaleRoom, text: string): void {
    const parsed = eventSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return core.log.warn({ saleId: room.saleId }, 'unrecognised sale event');
    const event = parsed.data;
    switch (event.type) {
      case 'offers':
        for (const offer of event.offers) tellOffer(room, offer.visitor, offer.deadline);
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
      case 'control':
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

  const catchUp = setInterval(() => {
    for (const room of rooms.values()) void catchUpOffers(room).catch((err: unknown) => core.log.warn({ err, saleId: room.saleId }, 'offer catch-up failed'));
  }, OFFER_CATCH_UP_MS);
  catchUp.unref();

  return {
    watch(room) {
      const channel = queueKeys(room.saleId).channel;
      rooms.set(channel, room);
      room.ready = subscriber.subscribe(channel).catch((err: unknown) => core.log.error({ err, channel }, 'could not subscribe to the sale channel'));
    },
    catchUpOffers,
    async close() {
      clearInterval(catchUp);
      subscriber.close();
    },
  };
}
