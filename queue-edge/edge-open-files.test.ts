/**
 * An edge process at its open-files limit refuses new sockets (503 `edge_full`, connection closed)
 * instead of reaching EMFILE, where uWS leaves the connection queued and spins on accept: the
 * process burns a core and every connection behind it (probes included) hangs.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { freePort } from '../scripts/services.js';
import { newRedis } from '../test/support/databases.js';
import { testEnv, createSale } from '../test/support/edge-test-harness.js';
import { parseOpenFilesLimit, socketCapacity } from './open-files.js';
import { readFileSync } from 'node:fs';

/** utime + stime of a process, in seconds (USER_HZ = 100) */
const cpuSeconds = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             95000                95000                processes
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe('open-files limit', () => {
  it('reads the soft limit from /proc/self/limits and keeps a reserve for the process\'s other files', () => {
    expect(parseOpenFilesLimit(LIMITS)).toBe(20_000);
    expect(parseOpenFilesLimit(LIMITS.replace('20000                20000', 'unlimited            unlimited'))).toBeNull();
    expect(socketCapacity(20_000)).toBe(19_600);
    expect(socketCapacity(300)).toBe(172);
    expect(socketCapacity(null)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses sockets past its capacity with 503 edge_full and keeps serving', async () => {
    const LIMIT = 300;
    const redis = newRedis();
    const port = await freePort();
    // the limit is lowered in a shell, as a container's or systemd's would be, then node is exec'd
    const child = spawn('sh', ['-c', `ulimit -n ${LIMIT} && exec "$@"`, 'sh', process.execPath, '--import', 'tsx', 'queue-edge/edge-process-main.ts'], {
      env: { ...process.env, ...testEnv({ EDGE_PORT: String(port) }), USHER_EDGE_CHILD: '0' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const sockets: WebSocket[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
        child.once('exit', (code) => reject(new Error(`edge exited with ${code}`)));
      });
      const saleId = await createSale(redis);
      const outcomes: string[] = [];
      const open = (): Promise<void> => new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/sales/${saleId}/ws`);
        sockets.push(ws);
        const hung = setTimeout(() => (outcomes.push('hung'), resolve()), 5000);
        ws.once('open', () => (clearTimeout(hung), outcomes.push('open'), resolve()));
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += String(c)));
          res.on('end', () => (clearTimeout(hung), outcomes.push(`${res.statusCode} ${(JSON.parse(body) as { code: string }).code}`), resolve()));
        });
        ws.once('error', () => undefined);
      });
      // in waves, so a refusal's file is back before the next wave needs it
      for (let wave = 0; wave < 8; wave++) await Promise.all(Array.from({ length: 50 }, open));
      const count = (o: string): number => outcomes.filter((x) => x === o).length;
      expect({ open: count('open'), full: count('503 edge_full'), hung: count('hung') }).toEqual({ open: socketCapacity(LIMIT), full: 400 - socketCapacity(LIMIT), hung: 0 });
      // still serving, and not spinning on a connection it cannot accept
      const cpu0 = cpuSeconds(child.pid!);
      await new Promise((r) => setTimeout(r, 1000));
      expect(cpuSeconds(child.pid!) - cpu0).toBeLessThan(0.5);
      expect((await fetch(`http://127.0.0.1:${port}/livez`, { signal: AbortSignal.timeout(3000) })).status).toBe(200);
    } finally {
      for (const ws of sockets) ws.terminate();
      child.kill('SIGKILL');
      redis.disconnect();
    }
  }, 90_000);
});
