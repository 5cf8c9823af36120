/**
 * The baseline of `bench:edge`: the same waiting-room protocol subset (hello → join → queued, a
 * position broadcast every period) on a minimal `ws` server, N cluster workers sharing one port.
 * No Redis and no tokens: it measures what `ws` itself costs per connection, which flatters it.
 */
import cluster from 'node:cluster';
import { WebSocketServer } from 'ws';
import { forkBenchWorkers } from './lib/bench-workers.js';

const port = Number(process.env.BENCH_PORT);
const workers = Number(process.env.BENCH_WORKERS ?? '1');
const periodMs = Number(process.env.BENCH_PERIOD_MS ?? '2000');

if (cluster.isPrimary) {
  forkBenchWorkers(workers);
} else {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 4096, perMessageDeflate: false });
  let serving = 0;
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ v: 1, type: 'hello', saleId: 'baseline', challenge: 'x', powDifficulty: 0 }));
    ws.on('message', (data) => {
      try {
        const m = JSON.parse(String(data)) as { type?: string };
        if (m.type === 'join') ws.send(JSON.stringify({ v: 1, type: 'queued', state: 'waiting', ticket: ++serving }));
      } catch {
        ws.send('{"v":1,"type":"error","code":"bad_json"}');
      }
    });
  });
  setInterval(() => {
    const text = JSON.stringify({ v: 1, type: 'position', state: 'open', serving, waiting: wss.clients.size, ratePerMin: 0, measuredPerMin: null, opensAt: 0, seed: '', message: '', at: Date.now() });
    for (const c of wss.clients) c.send(text);
  }, periodMs);
  wss.on('listening', () => process.send?.('ready'));
}
