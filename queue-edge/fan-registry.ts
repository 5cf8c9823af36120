/**
 * This edge process's fans, per sale ("rooms"): the sockets of each visitor (for the few messages
 * meant for one fan: their place, their offer, their pass) and the sale's uWS topic (for the one
 * message per tick meant for everyone). Sends check the result and count what backpressure drops.
 *
 * Memory per fan is the edge's scaling limit, so a joined fan costs as little JS as we can manage:
 * its socket object (uWS copies the userData fields onto it), one map entry keyed by the visitor id
 * (the same string as the socket's `visitorId`), one uWS topic subscription (`sale/<id>`), and no
 * per-socket timer or closure. The sale id string is shared by the room's sockets, the join-time
 * fields (address, challenge, difficulty) are dropped at join, the rare rank timestamps live in a
 * WeakMap, and a second tab of the same visitor is the only case that allocates an array.
 */
import type { WebSocket } from 'uWebSockets.js';
import type { TickResult } from './queue-store.js';
import { RateMeter } from './eta-estimator.js';
import { encode, type ServerMessage } from './edge-protocol.js';
import { edgeMetrics } from './edge-metrics.js';

/** What a socket needs until it has joined; dropped (garbage) once it has. */
export interface PendingJoin {
  ip: string;
  challenge: string;
  powDifficulty: number;
  /** Date.now() after which a socket that has not joined is closed (4408) */
  joinBy: number;
}

export interface FanData {
  /** interned: the room's own string once the room exists (FanRegistry.saleIdOf) */
  saleId: string;
  visitorId: string | null;
  joining: boolean;
  closed: boolean;
  admittedSent: boolean;
  pending: PendingJoin | null;
  /** W3C traceparent of this socket's join span; set only while tracing is on (common/tracing.ts) */
  trace?: string;
}

export type FanSocket = WebSocket<FanData>;

const NO_SOCKETS: readonly FanSocket[] = [];

export class SaleRoom {
  readonly topic: string;
  /** visitor id → their socket on this edge, or their sockets when they have several tabs */
  readonly fans = new Map<string, FanSocket | FanSocket[]>();
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

  socketsOf(visitorId: string): readonly FanSocket[] {
    const entry = this.fans.get(visitorId);
    return entry === undefined ? NO_SOCKETS : Array.isArray(entry) ? entry : [entry];
  }
}

/**
 * Sockets that have not joined yet, in the order they opened (so in `joinBy` order): one sweep a
 * second closes those past their deadline, instead of one timer and closure per socket.
 */
export class PendingJoins {
  private queue: FanSocket[] = [];
  private head = 0;

  add(ws: FanSocket): void {
    this.queue.push(ws);
  }

  /** Closes every socket past its deadline that has neither joined nor closed; forgets it either way. */
  sweep(now: number, expire: (ws: FanSocket) => void): void {
    while (this.head < this.queue.length) {
      const ws = this.queue[this.head]!;
      const data = ws.getUserData();
      if (data.pending && !data.closed && now < data.pending.joinBy) break;
      this.queue[this.head++] = undefined as never;
      if (!data.closed && !data.visitorId) expire(ws);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Sockets still waiting to join (for the drain). */
  *open(): Iterable<FanSocket> {
    for (let i = this.head; i < this.queue.length; i++) {
      const data = this.queue[i]!.getUserData();
      if (!data.closed && !data.visitorId) yield this.queue[i]!;
    }
  }

  get size(): number {
    return this.queue.length - this.head;
  }
}

export class FanRegistry {
  readonly rooms = new Map<string, SaleRoom>();
  readonly pendingJoins = new PendingJoins();
  /** Open sockets, joined or not. */
  open = 0;
  /** Upgrades under way (their checks are async): each already holds a file. */
  upgrading = 0;
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

  /** The one copy of a sale id this edge keeps (each upgrade's URL parameter is a new string). */
  saleIdOf(saleId: string): string {
    return this.rooms.get(saleId)?.saleId ?? saleId;
  }

  add(ws: FanSocket, visitorId: string): SaleRoom {
    const data = ws.getUserData();
    const room = this.room(data.saleId);
    data.saleId = room.saleId;
    const entry = room.fans.get(visitorId);
    if (entry === undefined) room.fans.set(visitorId, ws);
    else if (Array.isArray(entry)) entry.push(ws);
    else room.fans.set(visitorId, [entry, ws]);
    room.connected++;
    this.total++;
    edgeMetrics.connectedFans.set(this.total);
    ws.subscribe(room.topic);
    return room;
  }

  /** Forgets a closed socket (uWS already dropped its topic subscriptions). */
  remove(ws: FanSocket, visitorId: string): void {
    const room = this.rooms.get(ws.getUserData().saleId);
    const entry = room?.fans.get(visitorId);
    if (!room || entry === undefined) return;
    if (Array.isArray(entry)) {
      const i = entry.indexOf(ws);
      if (i < 0) return;
      entry.splice(i, 1);
      if (entry.length === 1) room.fans.set(visitorId, entry[0]!);
    } else if (entry === ws) {
      room.fans.delete(visitorId);
      room.prequeued.delete(visitorId);
    } else {
      return;
    }
    room.connected--;
    this.total--;
    edgeMetrics.connectedFans.set(this.total);
  }

  /** Every open socket, joined or not, each once (for the drain). */
  *sockets(): Iterable<FanSocket> {
    yield* this.pendingJoins.open();
    for (const room of this.rooms.values()) {
      for (const entry of room.fans.values()) {
        if (Array.isArray(entry)) yield* entry;
        else yield entry;
      }
    }
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
