/**
 * The edge's tick: every EDGE_TICK_MS, for each sale it has fans for, one admit-14.lua call (which
 * also cleans up, refills the shared token bucket and records this edge's connected count), the
 * opening draw's commit and reveal and random mode's window draws when they are due, then one broadcast on the sale's uWS topic. Nothing per fan.
 */
import type { EdgeCore } from './edge-core.js';
import type { SaleRoom } from './fan-registry.js';
import type { SeatStatus, TickResult } from './queue-store.js';
import type { PositionBroadcast, ServerMessage, SaleState } from './edge-protocol.js';
import { encode } from './edge-protocol.js';
import { runOpeningDraw } from './opening-draw.js';
import { drawDueAt, runWindowDraw } from './window-draw.js';
import { bucketCapacityS } from './queue-store.js';
import { edgeMetrics } from './edge-metrics.js';
import { everyTickSlot } from './tick-phase.js';
import { HEALTH_SIGNALS, backoffArgument, healthKeyOf, readBackendHealth, type HealthSignals } from '../admission/backend-health.js';

export type SeatStatusSource = (saleId: string) => Promise<SeatStatus>;

/** Offers made by one tick call at most: a very high rate is spread over ticks, not one huge pop. */
const MAX_BATCH = 1000;

const changeMessage: Partial<Record<SaleState, ServerMessage['type']>> = {
  paused: 'paused', closed: 'closed', sold_out: 'sold_out', all_held: 'all_held', rejecting: 'rejecting',
};

/** When the open window's draw is due, for the fans in it (random mode only). */
function nextDrawAt(r: TickResult): number | null {
  if (r.mode !== 'random' || !r.shuffled) return null;
  return (Math.floor(r.now / r.drawWindowMs) + 1) * r.drawWindowMs;
}

export interface AdmissionTicker {
  tickNow(saleId: string): Promise<void>;
  stop(): void;
}

/** `phaseMs`: tick on the wall-clock slots of this phase (tick-phase.ts); undefined: every tickMs from now. */
export function startAdmissionTicks(core: EdgeCore, publish: (topic: string, text: string) => void, seatStatus: SeatStatusSource, phaseMs?: number): AdmissionTicker {
  const seats = new Map<string, SeatStatus>();
  const failing = new Set<string>();
  // Backend health: one read per tick round for every sale of this edge (half a tick of caching)
  const healthKey = healthKeyOf(core.config);
  let health: { at: number; arg: Promise<string> } | null = null;
  function healthArgument(): Promise<string> {
    if (!core.config.backoff.enabled) return Promise.resolve('');
    const now = Date.now();
    if (!health || now - health.at >= core.config.edge.tickMs / 2) {
      const previous = health?.arg ?? Promise.resolve('');
      const arg = readBackendHealth(core.redis, healthKey, now).then(({ signals }) => {
        reportSignals(signals);
        return backoffArgument(core.config, signals);
      }, async (err: unknown) => {
        // unread (a Redis hiccup): the last figures stand, so a backoff is neither lost nor invented
        core.log.debug({ err }, 'backend health unreadable; keeping the last figures');
        return previous;
      });
      health = { at: now, arg };
    }
    return health.arg;
  }
  function reportSignals(signals: HealthSignals): void {
    for (const s of HEALTH_SIGNALS) {
      if (signals[s] === undefined) edgeMetrics.healthSignal.remove({ signal: s });
      else edgeMetrics.healthSignal.set({ signal: s }, signals[s]);
    }
  }

  async function seatsOf(saleId: string): Promise<SeatStatus> {
    try {
      const status = await seatStatus(saleId);
      seats.set(saleId, status);
      failing.delete(saleId);
      return status;
    } catch (err) {
      // Logged once per outage, not every tick. Fails open: an offer for a sold-out sale lapses
      // harmlessly, while failing closed would stall every queue on an inventory hiccup.
      if (!failing.has(saleId)) core.log.warn({ err, saleId }, 'inventory availability failed; using the last known status');
      failing.add(saleId);
      return seats.get(saleId) ?? 'on_sale';
    }
  }

  function tickOptions(room: SaleRoom, status: SeatStatus, healthArg: string) {
    const { edge } = core.config;
    return { seats: status, offerTtlMs: edge.offerTtlS * 1000, graceMs: edge.reconnectGraceS * 1000, maxBatch: MAX_BATCH, edgeId: core.edgeId, connected: room.connected,
      burstS: bucketCapacityS(edge.tickMs), health: healthArg };
  }

  function broadcast(room: SaleRoom, previous: TickResult | null, r: TickResult): void {
    const position: PositionBroadcast = {
      v: 1, type: 'position', state: r.state, serving: r.serving, waiting: r.waiting, ratePerMin: r.ratePerMin,
      measuredPerMin: room.meter.rangePerMin(), opensAt: r.opensAt, seed: r.seed, message: r.message,
      mode: r.mode, nextDrawAt: nextDrawAt(r), at: r.now,
    };
    room.lastPosition = encode(position);
    if (previous && previous.state !== r.state) {
      const type = changeMessage[r.state] ?? (previous.state === 'prequeue' ? 'opened' : 'resumed');
      publish(room.topic, JSON.stringify({ v: 1, type }));
    } else if (!previous && changeMessage[r.state]) {
      // the room's first tick: fans who joined before it must still hear that the sale is paused,
      // closed or out of seats, even if that happened between their join and this tick
      publish(room.topic, JSON.stringify({ v: 1, type: changeMessage[r.state] }));
    }
    if (r.message && previous && r.messageAt > previous.messageAt) {
      publish(room.topic, encode({ v: 1, type: 'message', text: r.message, at: r.messageAt }));
    }
    publish(room.topic, room.lastPosition);
  }

  async function tickRoom(room: SaleRoom): Promise<void> {
    if (room.ticking) return; // a slow Redis must not stack ticks
    room.ticking = true;
    const done = edgeMetrics.tickSeconds.startTimer();
    try {
      const [status, healthArg] = await Promise.all([seatsOf(room.saleId), healthArgument()]);
      let r = await core.store.tick(room.saleId, tickOptions(room, status, healthArg));
      const drawEnd = drawDueAt(r);
      if (!r.shuffled && r.state !== 'closed' && r.now >= r.opensAt) {
        const drawn = await runOpeningDraw(core.redis, core.store, core.beacon, room.saleId, r.now);
        if (drawn !== null) {
          core.log.info({ saleId: room.saleId, fans: drawn.count }, 'pre-queue drawn at opening');
          r = await core.store.tick(room.saleId, tickOptions(room, status, healthArg));
        }
      } else if (drawEnd !== null) {
        const drawn = await runWindowDraw(core.redis, core.store, room.saleId, drawEnd);
        if (drawn !== null) core.log.info({ saleId: room.saleId, ...drawn }, 'draw window drawn');
        r = await core.store.tick(room.saleId, tickOptions(room, status, healthArg));
      }
      const previous = room.last;
      room.last = r;
      room.meter.add(r.now, r.admitted);
      core.sales.update(room.saleId, { powDifficulty: r.powDifficulty });
      broadcast(room, previous, r);
      const sale = { sale: room.saleId };
      edgeMetrics.queueLength.set(sale, r.waiting);
      edgeMetrics.prequeueLength.set(sale, r.prequeue);
      edgeMetrics.admittedTotal.set(sale, r.admitted);
      edgeMetrics.offersExpiredTotal.set(sale, r.offersExpired);
      edgeMetrics.activeShoppers.set(sale, r.active);
      edgeMetrics.ratePerMin.set(sale, r.ratePerMin);
      edgeMetrics.effectiveRatePerMin.set(sale, r.effectiveRatePerMin);
      edgeMetrics.backoffEngaged.set(sale, r.effectiveRatePerMin < r.ratePerMin ? 1 : 0);
      const breaching = new Set(r.breach.split(',').filter(Boolean));
      for (const signal of HEALTH_SIGNALS) edgeMetrics.backoffBreach.set({ ...sale, signal }, breaching.has(signal) ? 1 : 0);
      if ((previous?.breach ?? '') !== r.breach) {
        core.log.info({ saleId: room.saleId, breach: r.breach, effectiveRatePerMin: Math.round(r.effectiveRatePerMin), ratePerMin: r.ratePerMin }, r.breach ? 'admission backing off' : 'backend healthy');
      }
    } catch (err) {
      core.log.warn({ err, saleId: room.saleId }, 'admission tick failed');
    } finally {
      room.ticking = false;
      done();
    }
  }

  const tickAll = (): void => {
    for (const room of core.fans.rooms.values()) void tickRoom(room);
  };
  let stopTicks: () => void;
  if (phaseMs === undefined) {
    const timer = setInterval(tickAll, core.config.edge.tickMs);
    stopTicks = () => clearInterval(timer);
  } else {
    stopTicks = everyTickSlot(core.config.edge.tickMs, phaseMs, tickAll);
  }

  return {
    async tickNow(saleId) {
      const room = core.fans.rooms.get(saleId);
      if (room) await tickRoom(room);
    },
    stop() {
      stopTicks();
    },
  };
}
