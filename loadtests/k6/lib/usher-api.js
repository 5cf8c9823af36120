// @ts-check
/**
 * The one description of the Usher API that every load generator uses: the k6 scripts import it
 * from here and the local harness (`loadtests/onsale/`) imports it too, so a route or body changed
 * in the API breaks both in one place. A test checks these routes against the API's and the edge's
 * real routes.
 *
 * Plain ES module JS with JSDoc types, no Node or k6 APIs: k6 runs it as is, TypeScript reads it
 * through `usher-api.d.ts` (generated from this file; a test keeps the two in step).
 */

/** @typedef {'GET' | 'POST' | 'DELETE'} Method */
/** @typedef {'edge' | 'api'} Server */
/** @typedef {{ server: Server, method: Method, path: string }} Route */

/**
 * Every route a load test calls. Paths use `:name` placeholders, as Hono and uWS write them.
 * @satisfies {Record<string, Route>}
 */
export const routes = /** @type {const} */ ({
  // the edge (uWebSockets.js): waiting room over WebSocket and its HTTP status fallback
  visitor: { server: 'edge', method: 'POST', path: '/v1/visitors' },
  queueSocket: { server: 'edge', method: 'GET', path: '/v1/sales/:sale/ws' },
  queueStatus: { server: 'edge', method: 'GET', path: '/v1/sales/:sale/status' },
  queueJoin: { server: 'edge', method: 'POST', path: '/v1/sales/:sale/join' },
  queueTake: { server: 'edge', method: 'POST', path: '/v1/sales/:sale/take' },
  // the API (Hono): catalog, holds, payment, orders
  eventSearch: { server: 'api', method: 'GET', path: '/v1/events' },
  eventDetail: { server: 'api', method: 'GET', path: '/v1/events/:id' },
  availability: { server: 'api', method: 'GET', path: '/v1/sales/:sale/availability' },
  seatMap: { server: 'api', method: 'GET', path: '/v1/sales/:sale/seat-map' },
  seatStates: { server: 'api', method: 'GET', path: '/v1/sales/:sale/seat-states' },
  hold: { server: 'api', method: 'POST', path: '/v1/sales/:sale/holds' },
  holdRead: { server: 'api', method: 'GET', path: '/v1/holds/:id' },
  holdRelease: { server: 'api', method: 'DELETE', path: '/v1/holds/:id' },
  checkout: { server: 'api', method: 'POST', path: '/v1/holds/:id/checkout' },
  demoPay: { server: 'api', method: 'POST', path: '/v1/holds/:id/demo-pay' },
  order: { server: 'api', method: 'GET', path: '/v1/orders/:id' },
});

/** @typedef {keyof typeof routes} RouteName */

/**
 * The concrete path of a route: each `:name` replaced by its (URI-encoded) parameter.
 * @param {RouteName} name
 * @param {Record<string, string>} [params]
 * @returns {string}
 */
export function pathOf(name, params = {}) {
  return routes[name].path.replace(/:(\w+)/g, (_, key) => {
    const value = params[key];
    if (value === undefined) throw new Error(`route ${name} needs :${key}`);
    return encodeURIComponent(value);
  });
}

/** Version of the waiting-room WebSocket protocol the clients speak. */
export const PROTOCOL_VERSION = 1;

/**
 * Client frames of the waiting-room socket.
 * @param {string} token visitor token
 * @param {string} [nonce] proof of work, when the sale asks for it
 */
export function joinMessage(token, nonce) {
  return JSON.stringify(nonce ? { v: PROTOCOL_VERSION, type: 'join', token, nonce } : { v: PROTOCOL_VERSION, type: 'join', token });
}
export function takeMessage() {
  return JSON.stringify({ v: PROTOCOL_VERSION, type: 'take' });
}

/**
 * What a shopper asks for (POST holds): best available by tier or section, or explicit seats.
 * @typedef {{ kind: 'best', tierCode: string, quantity: number, together?: boolean }
 *   | { kind: 'best', sectionId: string, quantity: number, together?: boolean }
 *   | { kind: 'seats', seatIds: number[] }} HoldBody
 */

/**
 * The quantities fans ask for, with their weights: mostly pairs, some singles, a few groups.
 * @type {ReadonlyArray<readonly [number, number]>}
 */
export const quantityWeights = [[1, 25], [2, 45], [3, 12], [4, 15], [6, 3]];

/**
 * Picks from weighted choices with `r` in [0, 1).
 * @template T
 * @param {ReadonlyArray<readonly [T, number]>} choices
 * @param {number} r
 * @returns {T}
 */
export function weighted(choices, r) {
  const total = choices.reduce((sum, c) => sum + c[1], 0);
  let x = r * total;
  for (const [value, weight] of choices) {
    if (x < weight) return value;
    x -= weight;
  }
  const last = choices[choices.length - 1];
  if (!last) throw new Error('no choices');
  return last[0];
}

/**
 * A best-available hold body.
 * @param {{ tierCode?: string, sectionId?: string, quantity: number, together?: boolean }} want
 * @returns {HoldBody}
 */
export function bestHoldBody(want) {
  const together = want.together ? { together: true } : {};
  if (want.sectionId) return { kind: 'best', sectionId: want.sectionId, quantity: want.quantity, ...together };
  if (!want.tierCode) throw new Error('a best hold needs a tierCode or a sectionId');
  return { kind: 'best', tierCode: want.tierCode, quantity: want.quantity, ...together };
}

/**
 * An explicit-seats hold body.
 * @param {number[]} seatIds
 * @returns {HoldBody}
 */
export function seatsHoldBody(seatIds) {
  return { kind: 'seats', seatIds };
}

/**
 * The checkout body: the buyer's e-mail (loopback-only test addresses).
 * @param {string} who a unique label of the fan
 */
export function checkoutBody(who) {
  return { email: `${who.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)}@loadtest.usher.local` };
}

/** Search texts browsers type into the catalog. */
export const searchTexts = ['flash', 'tour', 'amsterdam', 'queue jumpers', 'live', 'night', 'berlin', 'aurora'];

/**
 * The catalog search path (GET /v1/events with a query string).
 * @param {number} i which search
 */
export function searchPath(i) {
  const q = searchTexts[i % searchTexts.length] ?? 'tour';
  const filter = i % 3 === 0 ? '&hasSeats=true' : i % 3 === 1 ? '&category=music' : '';
  return `${pathOf('eventSearch')}?q=${encodeURIComponent(q)}${filter}&limit=20`;
}

/**
 * The mixed HTTP load of an on-sale, by share of requests at peak: waiting fans polling the status
 * fallback, browsers searching and reading the event, fans watching availability. Shoppers'
 * holds and payments come on top, at the admission rate.
 * @type {ReadonlyArray<readonly ['queueStatus' | 'eventSearch' | 'eventDetail' | 'availability', number]>}
 */
export const browseMix = [['queueStatus', 40], ['eventSearch', 20], ['eventDetail', 25], ['availability', 15]];

/** The stated thresholds every run is read against (DESIGN.md "What fast means"). */
export const thresholds = {
  peakRequestsPerS: 2000,
  p99Ms: 100,
  admissionRateErrorPct: 1,
  maxErrorRatePct: 1,
};
