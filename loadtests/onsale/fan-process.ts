/**
 * One fan process of the load generator (forked by the orchestrator): opens its share of waiting-room
 * sockets from its own loopback source address, joins the queue, takes its offer when admitted and
 * then shops over HTTP (shopper.ts). Reports to the parent once a second; on `stop` closes every
 * socket and exits. Several of these share the generator's load because one process may hold at
 * most 20,000 open files.
 */
import WebSocket from 'ws';
import { joinMessage, pathOf, takeMessage } from '../k6/lib/usher-api.js';
import { visitorTokens } from '../../queue-edge/visitor-token.js';
import { solveWork } from '../../queue-edge/proof-of-work.js';
import { HttpJson } from './http-json.js';
import { RequestMeter } from './request-meter.js';
import { shop } from './shopper.js';
import { fetchSeatMap, type SeatMapView } from './seat-map-view.js';
import { POSITION_PREFIX } from './fan-messages.js';
import { seededRandom } from '../lib/seeded-random.js';
import type { FanPlan, FanReport, OrderedHold, Outcome, ParentMessage } from './fan-plan.js';

const REPORT_MS = 1000;

interface Fan {
  n: number;
  token: string;
  ws: WebSocket | null;
  queued: boolean;
  admitted: boolean;
  finished: boolean;
  sampleLag: boolean;
  /** The queue ticket the edge last gave this fan (null before its first `queued`). */
  ticket: number | null;
  /** When its socket closed unexpectedly, until the edge answers its place on the next one. */
  closedAt: number | null;
}

function run(plan: FanPlan): void {
  const meter = new RequestMeter();
  const http = new HttpJson(plan.apiUrl, plan.sourceAddress, meter);
  const random = seededRandom(plan.seed);
  const tokens = visitorTokens(plan.visitorSecret);
  const wsBase = `${plan.edgeUrl.replace(/^http/, 'ws')}${pathOf('queueSocket', { sale: plan.saleId })}`;
  const fans: Fan[] = [];
  const state = { connected: 0, offers: 0, admitted: 0, reconnects: 0, unexpectedCloses: 0, placesKept: 0, placesLost: 0, stopping: false };
  const errors: Record<string, number> = {};
  const outcomes: Record<Outcome, number> = { ordered: 0, released: 0, no_seats: 0, voided: 0, failed: 0, unconfirmed: 0 };
  let lags: number[] = [];
  let reconnectMs: number[] = [];
  let holdsAt: number[] = [];
  let orders: OrderedHold[] = [];
  let paid: string[] = [];
  let shopping = 0;
  const count = (code: string) => (errors[code] = (errors[code] ?? 0) + 1);
  // the seat map, as the shop page's first visit fetches it: shoppers who pick seats revalidate it
  let seatMap: SeatMapView | null = null;
  let seatMapFigures: FanReport['seatMap'] = null;
  void (async () => {
    for (let attempt = 0; attempt < 10 && !seatMap && !state.stopping; attempt++) {
      const started = performance.now();
      try {
        seatMap = await fetchSeatMap(plan.apiUrl, pathOf('seatMap', { sale: plan.saleId }), plan.sourceAddress);
        seatMapFigures = { ms: Math.round(performance.now() - started), compressedBytes: seatMap.compressedBytes, jsonBytes: seatMap.jsonBytes, seatCount: seatMap.seatCount };
      } catch {
        count('seat_map_fetch');
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  })();


  function finish(fan: Fan, outcome: Outcome, order?: OrderedHold): void {
    outcomes[outcome]++;
    if (order) orders.push(order);
    fan.finished = true;
    // a fan who is done leaves the waiting room
    fan.ws?.terminate();
  }

  function startShopping(fan: Fan, pass: string): void {
    if (fan.admitted) return;
    fan.admitted = true;
    state.admitted++;
    shopping++;
    shop({ http, saleId: plan.saleId, sections: plan.sections, mix: plan.mix, random, retryUnavailableMs: plan.retryUnavailableMs ?? 0, onHeld: () => holdsAt.push(Date.now()), onPaid: (id) => paid.push(id), seatMap: () => seatMap }, pass, `f${plan.index}-${fan.n}`)
      .then((r) => finish(fan, r.outcome, r.order))
      .catch(() => finish(fan, 'failed'))
      .finally(() => shopping--);
  }

  /** The edge answered a reconnected fan's place: the same ticket (or further on: an offer, a pass) is a place kept. */
  function placeAnswered(fan: Fan, ticket: number | null): void {
    if (fan.closedAt === null) return;
    reconnectMs.push(Date.now() - fan.closedAt);
    fan.closedAt = null;
    if (fan.ticket === null) return;
    if (ticket === null || ticket === fan.ticket) state.placesKept++;
    else state.placesLost++;
  }

  function connect(fan: Fan): void {
    const ws = new WebSocket(wsBase, { localAddress: plan.sourceAddress, perMessageDeflate: false, handshakeTimeout: 30_000 });
    fan.ws = ws;
    let open = false;
    ws.on('open', () => {
      open = true;
      state.connected++;
    });
    ws.on('message', (data) => {
      const text = String(data);
      // Position broadcasts are nearly every message (one per fan per tick): recognised by their
      // prefix and parsed only for the fans that sample the lag, so the generator stays light.
      if (text.startsWith(POSITION_PREFIX)) {
        if (fan.sampleLag) lags.push(Date.now() - (JSON.parse(text) as { at: number }).at);
        return;
      }
      const m = JSON.parse(text) as { type: string; challenge?: string; powDifficulty?: number; pass?: string; code?: string; ticket?: number };
      switch (m.type) {
        case 'hello':
          ws.send(joinMessage(fan.token, m.powDifficulty ? solveWork(m.challenge ?? '', m.powDifficulty) : undefined));
          break;
        case 'queued':
          fan.queued = true;
          placeAnswered(fan, m.ticket ?? null);
          if (m.ticket !== undefined) fan.ticket = m.ticket;
          break;
        case 'done':
          placeAnswered(fan, null);
          break;
        case 'offer':
          placeAnswered(fan, null);
          state.offers++;
          ws.send(takeMessage());
          break;
        case 'admitted':
          placeAnswered(fan, null);
          startShopping(fan, m.pass ?? '');
          break;
        case 'error':
          count(`ws_${m.code ?? 'unknown'}`);
          break;
      }
    });
    ws.on('error', (err) => count(`ws_transport_${(err as NodeJS.ErrnoException).code ?? 'error'}`));
    ws.on('close', () => {
      if (open) state.connected--;
      fan.ws = null;
      if (state.stopping || fan.finished) return;
      // an unexpected close: the fan comes back to the place the queue keeps for it
      state.unexpectedCloses++;
      fan.closedAt ??= Date.now();
      setTimeout(() => {
        if (state.stopping || fan.finished) return;
        state.reconnects++;
        connect(fan);
      }, 1000 + random() * 2000).unref();
    });
  }

  function report(done: boolean): FanReport {
    const r: FanReport = {
      type: 'report', index: plan.index, meter: meter.take(), connected: state.connected,
      queued: fans.filter((f) => f.queued && !f.admitted).length, offers: state.offers, admitted: state.admitted, shopping,
      reconnects: state.reconnects, unexpectedCloses: state.unexpectedCloses, placesKept: state.placesKept, placesLost: state.placesLost,
      awaitingPlace: fans.filter((f) => f.closedAt !== null && !f.finished).length,
      errors: { ...errors }, outcomes: { ...outcomes }, seatMap: seatMapFigures, lags, reconnectMs, holdsAt, orders, paid, done,
    };
    lags = [];
    reconnectMs = [];
    holdsAt = [];
    orders = [];
    paid = [];
    return r;
  }

  const timer = setInterval(() => process.send?.(report(false)), REPORT_MS);

  // Sockets open at the planned pace, in small batches, so the edge sees a ramp rather than a wall.
  const batch = Math.max(1, Math.round(plan.connectPerS / 20));
  let opened = 0;
  const opener = setInterval(() => {
    void (async () => {
      for (let i = 0; i < batch && opened < plan.fans && !state.stopping; i++) {
        const n = opened++;
        const { token } = await tokens.issue();
        const fan: Fan = { n, token, ws: null, queued: false, admitted: false, finished: false, sampleLag: n % plan.lagSampleEvery === 0, ticket: null, closedAt: null };
        fans.push(fan);
        connect(fan);
      }
      if (opened >= plan.fans) clearInterval(opener);
    })();
  }, 50);

  process.on('message', (m: ParentMessage) => {
    if (m.type !== 'stop') return;
    state.stopping = true;
    clearInterval(opener);
    clearInterval(timer);
    for (const fan of fans) fan.ws?.terminate();
    // shoppers still paying are left to finish on the server; their figures are in the audit
    const final = report(true);
    http.close();
    process.send?.(final, () => process.exit(0));
  });
}

// the orchestrator is gone (it failed or was killed): nobody reads our reports, and our sockets must close
process.on('disconnect', () => process.exit(0));

process.once('message', (m: ParentMessage) => {
  if (m.type === 'start') run(m.plan);
});
