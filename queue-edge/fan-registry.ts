/**
 * This edge process's fans, per sale ("rooms"): the sockets of each visitor (for the few messages
 * meant for one fan: their place, their offer, their pass) and the sale's uWS topic (for the one
 * message per tick meant for everyone). Sends check the result and count what backpressure drops.
 */
import type { WebSocket } from 'uWebSockets.js';
import type { TickResult } from './queue-store.js';
import { RateMeter } from './eta-estimator.js';
import { encode, type ServerMessage } from './edge-protocol.js';
import { edgeMetrics } from './edge-metrics.js';

export interface FanData {
  saleId: string;
  ip: string;
  challenge: string;
  powDifficulty: number;
  visitorId: string | null;
  joining: boolean;
  closed: boolean;
  admittedSent: boolean;
  lastRankAt: number;
}

export type FanSocket = WebSocket<FanData>;

export class SaleRoom {
  readonly topic: string;
  readonly fans = new Map<string, Set<FanSocket>>();
  readonly meter = new RateMeter();
  /** Visitors told "pre-queue": they learn their ticket from the opening shuffle. */
  readonly prequeued = new Set<string>();
  connected = 0;
  last: TickResult | null = null;
  /** The last position broadcast, sent to a fan as soon as they join. */
  lastPosition: string | null = null;
  ticking = false;
  /** Resolves once this edge listens on the sale channel: a fan joins only after, so no offer is missed. */
  ready: Promise<unknown> = Promise.resolve();

  constructor(readonly saleId: string) {
    this.topic = `sale/${saleId}`;
  }

  socketsOf(visitorId: string): Iterable<FanSocket> {
    return this.fans.get(visitorId) ?? [];
  }
}

export class FanRegistry {
  readonly rooms = new Map<string, SaleRoom>();
  /** Every open socket, joined or not: only the drain walks it (closing each once). */
  readonly sockets = new Set<FanSocket>();
  total = 0;

  constructor(private readonly onNewRoom: (room: SaleRoom) => void = () => undefined) {}

  room(saleId: string): SaleRoom {
    let room = this.rooms.get(saleId);
    if (!room) {
      room = new SaleRoom(saleId);
      this.rooms.set(saleId, room);
      this.onNewRoom(room);
    }
    return room;
  }

  add(ws: FanSocket, visitorId: string): SaleRoom {
    const room = this.room(ws.getUserData().saleId);
    let set = room.fans.get(visitorId);
    if (!set) room.fans.set(visitorId, (set = new Set()));
    set.add(ws);
    room.connected++;
    this.total++;
    edgeMetrics.connectedFans.set(this.total);
    ws.subscribe(room.topic);
    return room;
  }

  /** Forgets a closed socket (uWS already dropped its topic subscriptions). */
  remove(ws: FanSocket, visitorId: string): void {
    const room = this.rooms.get(ws.getUserData().saleId);
    const set = room?.fans.get(visitorId);
    if (!room || !set?.delete(ws)) return;
    if (set.size === 0) {
      room.fans.delete(visitorId);
      room.prequeued.delete(visitorId);
    }
    room.connected--;
    this.total--;
    edgeMetrics.connectedFans.set(this.total);
  }
}

/** Sends to one fan. Late writes (after an await) must be corked: `late = true`. */
export function sendTo(ws: FanSocket, message: ServerMessage, late = true): void {
  const data = ws.getUserData();
  if (data.closed) return;
  const text = encode(message);
  let result = 1;
  if (late) ws.cork(() => (result = ws.send(text)));
  else result = ws.send(text);
  // 0: buffered, drains by itself; 2: dropped over maxBackpressure (the socket is then closed by uWS)
  if (result === 2) edgeMetrics.droppedMessages.inc();
}
