/**
 * A control for `bench:edge --bare` and `edge-memory.ts`: a bare uWebSockets.js server speaking the
 * same protocol subset as the ws baseline (hello → join → queued, one topic, a position publish
 * every period), with no per-socket data at all: what uWS itself costs per connection here.
 * BENCH_WORKERS=N: N processes sharing the port (uWS listens with SO_REUSEPORT), their pids in the
 * `ready` message, as the ws baseline does; unset: this one process serves.
 */
import cluster from 'node:cluster';
import { loadNativeUws } from '../queue-edge/uws-native.js';
import { forkBenchWorkers } from './lib/bench-workers.js';

const port = Number(process.env.BENCH_PORT);
const periodMs = Number(process.env.BENCH_PERIOD_MS ?? '2000');
const workers = process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : 0;

function serve(): void {
  const uws = loadNativeUws();
  const app = uws.App();
  let serving = 0;
  let connected = 0;
  app.ws('/v1/sales/:sale/ws', {
    maxPayloadLength: 4096,
    idleTimeout: 120,
    open(ws) {
      connected++;
      ws.send(JSON.stringify({ v: 1, type: 'hello', saleId: 'baseline', challenge: 'x', powDifficulty: 0 }));
    },
    message(ws, frame) {
      try {
        const m = JSON.parse(Buffer.from(frame).toString()) as { type?: string };
        if (m.type === 'join') {
          ws.subscribe('sale/baseline');
          ws.send(JSON.stringify({ v: 1, type: 'queued', state: 'waiting', ticket: ++serving }));
        }
      } catch {
        ws.send('{"v":1,"type":"error","code":"bad_json"}');
      }
    },
    close() {
      connected--;
    },
  });
  setInterval(() => {
    app.publish('sale/baseline', JSON.stringify({ v: 1, type: 'position', state: 'open', serving, waiting: connected, ratePerMin: 0, measuredPerMin: null, opensAt: 0, seed: '', message: '', at: Date.now() }));
  }, periodMs);
  app.listen('127.0.0.1', port, (token) => {
    process.send?.(token ? 'ready' : 'listen failed');
  });
}

if (workers > 0 && cluster.isPrimary) {
  forkBenchWorkers(workers);
} else {
  serve();
}
