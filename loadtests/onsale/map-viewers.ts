/**
 * The seat-map viewers of the load generator (forked by the orchestrator): `viewers` fans with the
 * shop's seat map open, as the page behaves (checkout/pages/static/checkout/seat-map.js): each
 * fetches the map once (brotli), then polls GET …/seat-states every `pollMs` with the ETag it last
 * got (304 when nothing changed, gzip otherwise), one request in flight per viewer, their polls
 * spread evenly over the interval. Runs from `startAtMs` until stopped; reports once a second.
 */
import http from 'node:http';
import { pathOf } from '../k6/lib/usher-api.js';
import { problemKind, RequestMeter } from './request-meter.js';
import { decodeBody, getRaw } from './seat-map-view.js';

export interface ViewerPlan {
  apiUrl: string;
  saleId: string;
  viewers: number;
  pollMs: number;
  startAtMs: number;
  sourceAddress: string;
}

export interface ViewerBytes {
  mapRequests: number;
  mapBytes: number;
  statesOk: number;
  statesBytes: number;
  notModified: number;
}

export type ViewerMessage = { type: 'report'; meter: ReturnType<RequestMeter['take']>; bytes: ViewerBytes } | { type: 'done' };

const TICK_MS = 20;

/** The problem kind of an error answer (its JSON body may be compressed); undefined below 400. */
function rawProblem(r: Awaited<ReturnType<typeof getRaw>>): string | undefined {
  if (r.status < 400) return undefined;
  let code: string | undefined;
  try {
    const c = (JSON.parse(decodeBody(r).toString('utf8')) as { code?: unknown } | null)?.code;
    code = typeof c === 'string' ? c : undefined;
  } catch {
    // not a problem body: the status says enough
  }
  return problemKind(r.status, code, r.headers['retry-after'] !== undefined);
}
const send = (m: ViewerMessage) => process.send?.(m);

function run(plan: ViewerPlan): void {
  const meter = new RequestMeter();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const mapUrl = new URL(pathOf('seatMap', { sale: plan.saleId }), plan.apiUrl);
  const statesUrl = new URL(pathOf('seatStates', { sale: plan.saleId }), plan.apiUrl);
  const bytes: ViewerBytes = { mapRequests: 0, mapBytes: 0, statesOk: 0, statesBytes: 0, notModified: 0 };
  const etags: (string | undefined)[] = Array.from({ length: plan.viewers }, () => undefined);
  const hasMap = new Uint8Array(plan.viewers);
  const busy = new Uint8Array(plan.viewers);
  let stopping = false;

  async function visit(v: number): Promise<void> {
    busy[v] = 1;
    const started = performance.now();
    if (!hasMap[v]) {
      const r = await getRaw(mapUrl, { 'accept-encoding': 'br, gzip' }, agent, plan.sourceAddress);
      meter.record('seatMap', r.status, performance.now() - started, rawProblem(r));
      bytes.mapRequests++;
      bytes.mapBytes += r.body.length;
      if (r.status === 200) hasMap[v] = 1;
    } else {
      const headers: Record<string, string> = { 'accept-encoding': 'gzip, br' };
      if (etags[v]) headers['if-none-match'] = etags[v]!;
      const r = await getRaw(statesUrl, headers, agent, plan.sourceAddress);
      meter.record('seatStates', r.status, performance.now() - started, rawProblem(r));
      if (r.status === 200) {
        etags[v] = typeof r.headers.etag === 'string' ? r.headers.etag : undefined;
        bytes.statesOk++;
        bytes.statesBytes += r.body.length;
      } else if (r.status === 304) bytes.notModified++;
    }
    busy[v] = 0;
  }

  const report = setInterval(() => send({ type: 'report', meter: meter.take(), bytes: { ...bytes } }), 1000);
  // viewer v polls at startAtMs + v·pollMs/viewers + k·pollMs; a tick starts every viewer now due
  let next = 0;
  let round = 0;
  const begin = () => {
    const t0 = Date.now();
    const timer = setInterval(() => {
      if (stopping) return clearInterval(timer);
      const due = Math.floor(((Date.now() - t0) / plan.pollMs) * plan.viewers);
      while (round * plan.viewers + next < due) {
        if (!busy[next]) void visit(next);
        next++;
        if (next === plan.viewers) {
          next = 0;
          round++;
        }
      }
    }, TICK_MS);
  };
  setTimeout(begin, Math.max(0, plan.startAtMs - Date.now()));

  process.on('message', (m: { type: string }) => {
    if (m.type !== 'stop') return;
    stopping = true;
    clearInterval(report);
    send({ type: 'report', meter: meter.take(), bytes: { ...bytes } });
    agent.destroy();
    process.send?.({ type: 'done' }, () => process.exit(0));
  });
}

// the orchestrator is gone (it failed or was killed): nobody reads our reports, and our sockets must close
process.on('disconnect', () => process.exit(0));

process.once('message', (m: { type: 'start'; plan: ViewerPlan }) => {
  if (m.type === 'start') run(m.plan);
});
