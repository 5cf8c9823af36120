// @ts-check
/**
 * k6: the on-sale's mixed HTTP load, a `ramping-arrival-rate` peaking at PEAK_RPS (2,000 by default)
 * requests/s: waiting fans polling the edge's HTTP status fallback, browsers searching the catalog
 * and reading the event and its availability; beside it a shopper scenario joining through the
 * HTTP fallback, taking the offer, reading the seat map and its live seat states, holding seats,
 * checking out and paying with the demo gateway.
 * Thresholds on p99, error rate and `dropped_iterations` (the generator could not keep the rate).
 *
 *   k6 run -e API_URL=http://127.0.0.1:8080 -e EDGE_URL=http://127.0.0.1:9001 \
 *     -e SALE_ID=<uuid> -e EVENT_ID=<uuid> -e PEAK_RPS=2000 loadtests/k6/onsale.js
 *
 * Routes, bodies and the mix come from ./lib/usher-api.js, shared with `npm run loadtest`.
 */
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
import {
  bestHoldBody, browseMix, checkoutBody, pathOf, quantityWeights, routes, searchPath, thresholds, weighted,
} from './lib/usher-api.js';

const API_URL = __ENV.API_URL || 'http://127.0.0.1:8080';
const EDGE_URL = __ENV.EDGE_URL || 'http://127.0.0.1:9001';
const SALE_ID = __ENV.SALE_ID || '';
const EVENT_ID = __ENV.EVENT_ID || '';
const PEAK_RPS = Number(__ENV.PEAK_RPS || thresholds.peakRequestsPerS);
const PEAK_S = Number(__ENV.PEAK_S || 60);
const SHOPPERS_PER_S = Number(__ENV.SHOPPERS_PER_S || 20);
const POLLERS = Number(__ENV.POLLERS || 500);
const TIERS = (__ENV.TIERS || 'GA,P1,P2').split(',');
const ADMISSION_WAIT_S = Number(__ENV.ADMISSION_WAIT_S || 120);

const orders = new Counter('orders_committed');
const soldOut = new Counter('holds_sold_out');

// 409 (sold out, all held, seat taken) is an answer the fan is meant to get, not a failure
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 409));

export const options = {
  scenarios: {
    browse: {
      executor: 'ramping-arrival-rate',
      exec: 'browse',
      startRate: Math.round(PEAK_RPS * 0.1),
      timeUnit: '1s',
      preAllocatedVUs: Math.ceil(PEAK_RPS / 10),
      maxVUs: PEAK_RPS,
      stages: [
        { duration: '30s', target: Math.round(PEAK_RPS * 0.5) },
        { duration: '30s', target: PEAK_RPS },
        { duration: `${PEAK_S}s`, target: PEAK_RPS },
        { duration: '15s', target: 0 },
      ],
    },
    shoppers: {
      executor: 'constant-arrival-rate',
      exec: 'shop',
      rate: SHOPPERS_PER_S,
      timeUnit: '1s',
      duration: `${60 + PEAK_S}s`,
      startTime: '30s',
      preAllocatedVUs: SHOPPERS_PER_S * 10,
      maxVUs: SHOPPERS_PER_S * (ADMISSION_WAIT_S + 30),
    },
  },
  thresholds: {
    [`http_req_duration{scenario:browse}`]: [`p(99)<${thresholds.p99Ms}`],
    [`http_req_duration{name:${routes.hold.path}}`]: [`p(99)<${thresholds.p99Ms}`],
    http_req_failed: [`rate<${thresholds.maxErrorRatePct / 100}`],
    // iterations k6 could not start on time: the generator, not the server, was the limit
    dropped_iterations: [`count<${Math.ceil(PEAK_RPS * 0.01)}`],
    checks: ['rate>0.99'],
  },
};

/** @param {string} token */
const bearer = (token) => ({ headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
/** @param {import('./lib/usher-api.js').RouteName} name */
const tagged = (name) => ({ tags: { name: routes[name].path } });

/** @returns {string} a new visitor token (edge: POST /v1/visitors) */
function visitor() {
  const r = http.post(`${EDGE_URL}${pathOf('visitor')}`, null, tagged('visitor'));
  check(r, { 'visitor token issued': (x) => x.status === 201 });
  return /** @type {{ token: string }} */ (r.json()).token;
}

/** @param {string} token */
function join(token) {
  const r = http.post(`${EDGE_URL}${pathOf('queueJoin', { sale: SALE_ID })}`, '{}', { ...bearer(token), ...tagged('queueJoin') });
  check(r, { 'joined the queue': (x) => x.status === 200 });
}

/** Waiting fans over the HTTP fallback, joined once for the whole test. */
export function setup() {
  const tokens = [];
  for (let i = 0; i < POLLERS; i++) {
    const token = visitor();
    join(token);
    tokens.push(token);
  }
  return { tokens };
}

/** One browsing request, chosen by the shared mix. @param {{ tokens: string[] }} data */
export function browse(data) {
  const route = weighted(browseMix, Math.random());
  if (route === 'queueStatus') {
    const token = data.tokens[Math.floor(Math.random() * data.tokens.length)] ?? '';
    const r = http.get(`${EDGE_URL}${pathOf('queueStatus', { sale: SALE_ID })}`, { ...bearer(token), ...tagged('queueStatus') });
    check(r, { 'status 200': (x) => x.status === 200 });
  } else if (route === 'eventSearch') {
    const r = http.get(`${API_URL}${searchPath(Math.floor(Math.random() * 1000))}`, tagged('eventSearch'));
    check(r, { 'search 200': (x) => x.status === 200 });
  } else if (route === 'eventDetail') {
    const r = http.get(`${API_URL}${pathOf('eventDetail', { id: EVENT_ID })}`, tagged('eventDetail'));
    check(r, { 'event 200': (x) => x.status === 200 });
  } else {
    const r = http.get(`${API_URL}${pathOf('availability', { sale: SALE_ID })}`, tagged('availability'));
    check(r, { 'availability 200': (x) => x.status === 200 });
  }
}

/** @param {string} token @returns {string | null} the admission pass, or null when not admitted in time */
function waitForPass(token) {
  const deadline = Date.now() + ADMISSION_WAIT_S * 1000;
  while (Date.now() < deadline) {
    const r = http.get(`${EDGE_URL}${pathOf('queueStatus', { sale: SALE_ID })}`, { ...bearer(token), ...tagged('queueStatus') });
    const place = r.status === 200 ? /** @type {{ place: string, pass?: string }} */ (r.json()) : null;
    if (place?.place === 'admitted' && place.pass) return place.pass;
    if (place?.place === 'offer') {
      const t = http.post(`${EDGE_URL}${pathOf('queueTake', { sale: SALE_ID })}`, '{}', { ...bearer(token), ...tagged('queueTake') });
      const taken = t.status === 200 ? /** @type {{ place: string, pass?: string }} */ (t.json()) : null;
      if (taken?.place === 'admitted' && taken.pass) return taken.pass;
    }
    sleep(2);
  }
  return null;
}

/** One shopper: join over HTTP, wait for admission, hold, check out, pay (demo gateway), see the order. */
export function shop() {
  const token = visitor();
  join(token);
  const pass = waitForPass(token);
  if (!pass) return;
  // the shop page: the seat map (cached by the browser after this: ETag, 304) and its live states
  const map = http.get(`${API_URL}${pathOf('seatMap', { sale: SALE_ID })}`, { headers: { 'accept-encoding': 'br, gzip' }, ...tagged('seatMap') });
  check(map, { 'seat map 200': (x) => x.status === 200 });
  const states = http.get(`${API_URL}${pathOf('seatStates', { sale: SALE_ID })}`, tagged('seatStates'));
  check(states, { 'seat states 200': (x) => x.status === 200 });
  const tierCode = TIERS[Math.floor(Math.random() * TIERS.length)] ?? 'GA';
  const body = bestHoldBody({ tierCode, quantity: weighted(quantityWeights, Math.random()) });
  const held = http.post(`${API_URL}${pathOf('hold', { sale: SALE_ID })}`, JSON.stringify(body), { ...bearer(pass), ...tagged('hold') });
  if (held.status === 409) {
    soldOut.add(1);
    return;
  }
  if (!check(held, { 'hold 201': (x) => x.status === 201 })) return;
  const id = { id: /** @type {{ holdId: string }} */ (held.json()).holdId };
  const co = http.post(`${API_URL}${pathOf('checkout', id)}`, JSON.stringify(checkoutBody(`k6-${__VU}-${__ITER}`)), { ...bearer(pass), ...tagged('checkout') });
  if (!check(co, { 'checkout 200': (x) => x.status === 200 })) return;
  const paid = http.post(`${API_URL}${pathOf('demoPay', id)}`, null, { ...bearer(pass), ...tagged('demoPay') });
  if (!check(paid, { 'demo payment 202': (x) => x.status === 202 })) return;
  for (let i = 0; i < 60; i++) {
    sleep(0.5);
    const r = http.get(`${API_URL}${pathOf('holdRead', id)}`, { ...bearer(pass), ...tagged('holdRead') });
    const view = r.status === 200 ? /** @type {{ state: string, orderId: string | null }} */ (r.json()) : null;
    if (view?.orderId && view.state === 'SOLD') {
      orders.add(1);
      return;
    }
  }
  check(null, { 'order committed within 30 s': () => false });
}
