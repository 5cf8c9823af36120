// @ts-check
/**
 * k6: many fans joining the waiting room over WebSocket (the `k6/websockets` module) and waiting
 * for live position updates, taking their offer when admitted. Thresholds on the lag of position
 * updates (tick time `at` → arrival), on failed joins and on dropped sockets.
 *
 *   k6 run -e EDGE_URL=http://127.0.0.1:9001 -e SALE_ID=<uuid> -e FANS=5000 -e WAIT_S=120 loadtests/k6/waiting-room.js
 *
 * See README.md: one k6 VU is one fan, so tens of thousands of fans need several k6 machines.
 */
import http from 'k6/http';
import { check } from 'k6';
import { sha256 } from 'k6/crypto';
import { WebSocket } from 'k6/websockets';
import { setTimeout } from 'k6/timers';
import { Counter, Rate, Trend } from 'k6/metrics';
import { joinMessage, pathOf, routes, takeMessage } from './lib/usher-api.js';

const EDGE_URL = __ENV.EDGE_URL || 'http://127.0.0.1:9001';
const SALE_ID = __ENV.SALE_ID || '';
const FANS = Number(__ENV.FANS || 1000);
const RAMP_S = Number(__ENV.RAMP_S || 60);
const WAIT_S = Number(__ENV.WAIT_S || 120);

const updateLag = new Trend('position_update_lag_ms', true);
const joined = new Rate('fan_joined');
const dropped = new Counter('fan_socket_dropped');
const admitted = new Counter('fan_admitted');

export const options = {
  scenarios: {
    fans: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [{ duration: `${RAMP_S}s`, target: FANS }, { duration: `${WAIT_S}s`, target: FANS }],
      gracefulRampDown: '10s',
      gracefulStop: '15s',
    },
  },
  thresholds: {
    // the edge pushes position every tick (1 s by default): an update more than 2 s late is a miss
    position_update_lag_ms: ['p(95)<1000', 'p(99)<2000'],
    fan_joined: ['rate>0.99'],
    fan_socket_dropped: [`count<${Math.max(1, Math.floor(FANS / 100))}`],
  },
};

/**
 * The join's proof of work when the sale asks for it: sha256(`${challenge}:${nonce}`) with
 * `difficulty` leading zero bits (queue-edge/proof-of-work.ts).
 * @param {string} challenge
 * @param {number} difficulty
 */
function solveWork(challenge, difficulty) {
  for (let n = 0; ; n++) {
    const hex = sha256(`${challenge}:${n}`, 'hex');
    let bits = 0;
    for (const c of hex) {
      const v = parseInt(c, 16);
      if (v === 0) {
        bits += 4;
        continue;
      }
      bits += Math.clz32(v) - 28;
      break;
    }
    if (bits >= difficulty) return String(n);
  }
}

export default function () {
  const visitor = http.post(`${EDGE_URL}${pathOf('visitor')}`, null, { tags: { name: routes.visitor.path } });
  if (!check(visitor, { 'visitor token issued': (r) => r.status === 201 })) {
    joined.add(false);
    return;
  }
  const token = /** @type {{ token: string }} */ (visitor.json()).token;
  const url = `${EDGE_URL.replace(/^http/, 'ws')}${pathOf('queueSocket', { sale: SALE_ID })}`;
  const ws = new WebSocket(url);
  let leaving = false;
  let wasJoined = false;

  ws.onmessage = (event) => {
    const m = JSON.parse(String(event?.data));
    if (m.type === 'hello') ws.send(joinMessage(token, m.powDifficulty ? solveWork(m.challenge, m.powDifficulty) : undefined));
    else if (m.type === 'queued' && !wasJoined) {
      wasJoined = true;
      joined.add(true);
    } else if (m.type === 'position') updateLag.add(Date.now() - m.at);
    else if (m.type === 'offer') ws.send(takeMessage());
    else if (m.type === 'admitted') admitted.add(1);
    else if (m.type === 'error' && !wasJoined) joined.add(false);
  };
  ws.onclose = () => {
    if (!leaving) dropped.add(1);
  };
  ws.onerror = () => {
    if (!wasJoined) joined.add(false);
  };
  // wait out the scenario, then leave (the fan's place is kept for the reconnect grace)
  setTimeout(() => {
    leaving = true;
    ws.close();
  }, WAIT_S * 1000);
}
