/**
 * A small keep-alive JSON client for the shoppers of one fan process: every request leaves from the
 * process's own loopback source address (so ~28k ephemeral ports per address are ours alone) and is
 * timed per route name into the process's meter: from the call (what the fan waits) and from the
 * moment it had a connected socket to the last byte (what the API and the wire took).
 */
import http from 'node:http';
import type { RouteName } from '../k6/lib/usher-api.js';
import { problemKind, type RequestMeter } from './request-meter.js';

export interface JsonReply {
  status: number;
  /** the answer's Retry-After in seconds, when it had one */
  retryAfterS?: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read loosely, checked by status
  body: any;
}

function parseJson(chunks: Buffer[]): unknown {
  try {
    return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
  } catch {
    return null; // not JSON: the status says enough
  }
}

export class HttpJson {
  private readonly agent: http.Agent;

  /**
   * `maxSockets` per fan process: its shoppers' requests beyond it wait in the agent, as a browser's
   * would not. That wait is the generator's, not the API's: it is measured apart (the meter's
   * `wire` latencies start when the request is on a connected socket). 8,192 sockets per process
   * stalled the generator itself (its event loop, on two shared cores), so the bound stays.
   */
  constructor(private readonly baseUrl: string, private readonly localAddress: string, private readonly meter: RequestMeter, maxSockets = 256) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(route: RouteName, method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<JsonReply> {
    const url = new URL(path, this.baseUrl);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const started = performance.now();
    // when the request got a connected socket: before it, the time is the generator's queue
    let onWire = started;
    return new Promise((resolve) => {
      const req = http.request({
        host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers,
        agent: this.agent, localAddress: this.localAddress, timeout: opts.timeoutMs ?? 30_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const body = parseJson(chunks);
          const code = (body as { code?: unknown } | null)?.code;
          const problem = status >= 400 ? problemKind(status, typeof code === 'string' ? code : undefined, res.headers['retry-after'] !== undefined) : undefined;
          const now = performance.now();
          this.meter.record(route, status, now - started, problem, now - onWire);
          const retryAfter = Number(res.headers['retry-after']);
          resolve(Number.isFinite(retryAfter) && res.headers['retry-after'] !== undefined ? { status, body, retryAfterS: retryAfter } : { status, body });
        });
        res.on('error', (err: NodeJS.ErrnoException) => resolve(this.failed(route, started, err.code ?? err.message)));
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) onWire = performance.now();
        else socket.once('connect', () => (onWire = performance.now()));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(this.failed(route, started, err.code ?? err.message)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A transport failure is status 0: counted as an error (by its code: `0 ECONNRESET`, `0 timeout`), never as a latency sample. */
  private failed(route: RouteName, started: number, why: string): JsonReply {
    this.meter.record(route, 0, performance.now() - started, `0 ${why}`);
    return { status: 0, body: null };
  }

  close(): void {
    this.agent.destroy();
  }
}
