/**
 * The browsing side of the load generator (forked by the orchestrator): autocannon drives the
 * catalog search, the event page, availability and the waiting room's HTTP status fallback at the
 * planned rate, stage by stage, one autocannon instance per endpoint so that each endpoint's own
 * figures stay apart. Exact per-request latencies come from autocannon's `response` events;
 * autocannon's own histogram is corrected for coordinated omission (its sample count is larger
 * than the request count) and is reported apart.
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { pathOf, routes, searchPath } from '../k6/lib/usher-api.js';
import { visitorTokens } from '../../queue-edge/visitor-token.js';
import { RequestMeter } from './request-meter.js';
import { splitRate, type BrowseMessage, type BrowsePlan, type EndpointStage } from './browse-plan.js';

const REPORT_MS = 1000;
const send = (m: BrowseMessage) => process.send?.(m);

/** HTTP-only fans: a token each and a place in the queue through POST join. */
async function joinPollers(plan: BrowsePlan, meter: RequestMeter): Promise<string[]> {
  const tokens = visitorTokens(plan.visitorSecret);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const out: string[] = [];
  const url = new URL(pathOf('queueJoin', { sale: plan.saleId }), plan.edgeUrl);
  const joinOne = async (): Promise<void> => {
    const { token } = await tokens.issue();
    const started = performance.now();
    const status = await new Promise<number>((resolve) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: routes.queueJoin.method, agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end('{}');
    });
    meter.record('queueJoin', status, performance.now() - started);
    if (status === 200) out.push(token);
  };
  for (let i = 0; i < plan.pollers; i += 32) await Promise.all(Array.from({ length: Math.min(32, plan.pollers - i) }, joinOne));
  agent.destroy();
  return out;
}

function pathFor(route: string, plan: BrowsePlan, i: number): string {
  switch (route) {
    case 'eventSearch': return searchPath(i);
    case 'eventDetail': return pathOf('eventDetail', { id: plan.eventId });
    case 'availability': return pathOf('availability', { sale: plan.saleId });
    default: return pathOf('queueStatus', { sale: plan.saleId });
  }
}

function runEndpoint(plan: BrowsePlan, meter: RequestMeter, route: string, rps: number, durationS: number, stage: number, pollers: string[]): Promise<EndpointStage> {
  const base = route === 'queueStatus' ? plan.edgeUrl : plan.apiUrl;
  let i = Math.floor(Math.random() * 1000);
  const connections = Math.max(2, Math.min(200, Math.ceil(rps / 10)));
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: base, duration: durationS, connections, overallRate: rps, timeout: 10,
      requests: [{
        method: 'GET',
        setupRequest: (req) => {
          i++;
          const token = pollers.length ? pollers[i % pollers.length] : undefined;
          return { ...req, path: pathFor(route, plan, i), headers: route === 'queueStatus' && token ? { authorization: `Bearer ${token}` } : {} };
        },
      }],
    }, (err, result) => {
      if (err) return reject(err);
      resolve({
        route, stage, rps, requests: result.requests.total, correctedSamples: (result.latency as { totalCount?: number }).totalCount ?? 0,
        corrected: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => meter.record(route, statusCode, responseTime));
    instance.on('reqError', () => meter.record(route, 0, 0));
  });
}

async function run(plan: BrowsePlan): Promise<void> {
  const meter = new RequestMeter();
  let stage = -1;
  const timer = setInterval(() => send({ type: 'report', meter: meter.take(), stage }), REPORT_MS);
  const pollers = await joinPollers(plan, meter);
  await new Promise((r) => setTimeout(r, Math.max(0, plan.startAtMs - Date.now())));
  for (const [index, s] of plan.stages.entries()) {
    stage = index;
    const results = await Promise.all(splitRate(s.rps).map((e) => runEndpoint(plan, meter, e.route, e.rps, s.durationS, index, pollers)));
    for (const result of results) send({ type: 'stage', result });
  }
  clearInterval(timer);
  send({ type: 'report', meter: meter.take(), stage });
  send({ type: 'done' });
}

// the orchestrator is gone (it failed or was killed): nobody reads our reports, and our sockets must close
process.on('disconnect', () => process.exit(0));

process.once('message', (m: { type: 'start'; plan: BrowsePlan }) => {
  if (m.type !== 'start') return;
  run(m.plan).then(
    () => process.disconnect?.(),
    (err: unknown) => {
      process.stderr.write(`browse load failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
