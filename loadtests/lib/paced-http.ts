/**
 * An open-loop HTTP/1.1 load generator for fixed rates: request i is due at t0 + i / rate, sent on
 * the first idle keep-alive connection, and its latency counts from the instant it was due, so a
 * request that waited for a connection carries that wait (coordinated omission accounted for once,
 * with real samples only).
 *
 * Why not autocannon's `overallRate` (the generator of bench:checkout before): it gives each
 * connection a budget of rate ÷ connections per second, refilled by a 1 s timer that every
 * connection starts at the same instant, so each second's requests leave in one burst at its start
 * (200 in flight at once) and the rest of the second is idle; and it records each latency of L ms
 * as L samples (L, L-1, … 1: `recordValueWithExpectedInterval(L, Math.ceil(1 / rate))`, an interval
 * of 1 ms whatever the rate), which weights every stall by its length squared. Both punish the low
 * steps most, where a second is mostly idle and a few slow answers are a larger share.
 */
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LatencySamples } from './percentiles.js';

export interface PacedRequest<C> {
  method: string;
  /** the request of this turn for this connection's context (path, headers, body) */
  build: (ctx: C) => { path: string; headers?: Record<string, string>; body?: string };
  onResponse?: (status: number, body: string, ctx: C) => void;
}

export interface PacedOptions<C> {
  host: string;
  port: number;
  rate: number;
  seconds: number;
  connections: number;
  /** each connection runs this list in turn, with its own context (hold → release → …) */
  requests: PacedRequest<C>[];
  context: () => C;
}

export interface PacedResult {
  offered: number;
  /** answers per second over the step */
  achieved: number;
  sent: number;
  answered: number;
  /** connection errors and answers not 2xx */
  errors: number;
  non2xx: number;
  /** due but never sent: no connection was free before the step ended */
  unsent: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  /** how evenly requests left: the largest share of one second's requests sent in any 100 ms of it */
  busiest_100ms_share: number;
  /** latency by request of the turn (`METHOD #index`): which kind of request carries the tail */
  by_request: Record<string, { p50: number; p99: number; max: number }>;
  /** the generator's own event-loop delay over the step (ms): a stall here is latency the server never caused */
  generator_loop_delay_ms: { p99: number; max: number };
}

interface Conn<C> {
  socket: net.Socket;
  ctx: C;
  turn: number;
  inFlight?: { due: number; req: PacedRequest<C> };
  buf: Buffer;
}

function parseResponse(buf: Buffer): { status: number; body: string; used: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = end + 4 + Number(length[1]);
    return buf.length < total ? undefined : { status, body: buf.toString('utf8', end + 4, total), used: total };
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let at = end + 4;
    let body = '';
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      if (buf.length < lineEnd + 2 + size + 2) return undefined;
      if (size === 0) return { status, body, used: lineEnd + 4 };
      body += buf.toString('utf8', lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
  return { status, body: '', used: end + 4 };
}

export async function pacedLoad<C>(o: PacedOptions<C>): Promise<PacedResult> {
  const samples = new LatencySamples();
  const kindSamples = new Map<PacedRequest<C>, LatencySamples>(o.requests.map((r) => [r, new LatencySamples()]));
  const sentAt = new Array<number>(10).fill(0);
  let sent = 0, answered = 0, errors = 0, non2xx = 0;
  const conns: Conn<C>[] = [];
  const idle: Conn<C>[] = [];
  const due: number[] = [];
  let dueHead = 0;
  const t0 = performance.now();
  const total = Math.round(o.rate * o.seconds);
  const intervalMs = 1000 / o.rate;
  let scheduled = 0;
  let done = false;

  const send = (c: Conn<C>, dueAt: number): void => {
    const req = o.requests[c.turn++ % o.requests.length]!;
    const { path, headers = {}, body } = req.build(c.ctx);
    let head = `${req.method} ${path} HTTP/1.1\r\nhost: ${o.host}:${o.port}\r\nconnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    c.inFlight = { due: dueAt, req };
    c.socket.write(body === undefined ? `${head}\r\n` : `${head}\r\n${body}`);
    sent++;
    sentAt[Math.floor(((performance.now() - t0) % 1000) / 100)]!++;
  };
  const pump = (): void => {
    while (dueHead < due.length && idle.length > 0) send(idle.pop()!, due[dueHead++]!);
    if (dueHead > 4096) { due.splice(0, dueHead); dueHead = 0; }
  };

  const open = (): Promise<void> => new Promise<void>((resolve, reject) => {
    const c: Conn<C> = { socket: net.connect(o.port, o.host), ctx: o.context(), turn: 0, buf: Buffer.alloc(0) };
    c.socket.setNoDelay(true);
    c.socket.once('connect', () => { conns.push(c); idle.push(c); resolve(); });
    c.socket.on('error', (err) => { if (!conns.includes(c)) reject(err); });
    // the server closed it (keep-alive timeout, or it failed): its request is an error, a new connection takes its place
    c.socket.once('close', () => {
      if (done) return;
      if (c.inFlight) {
        errors++;
        c.inFlight = undefined;
      }
      conns.splice(conns.indexOf(c), 1);
      if (idle.includes(c)) idle.splice(idle.indexOf(c), 1);
      open().then(pump, () => undefined);
    });
    c.socket.on('data', (chunk: Buffer) => {
      c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
      const r = parseResponse(c.buf);
      if (!r || !c.inFlight) return;
      c.buf = c.buf.subarray(r.used);
      const { due: dueAt, req } = c.inFlight;
      c.inFlight = undefined;
      answered++;
      if (r.status < 200 || r.status >= 300) non2xx++;
      const latency = performance.now() - dueAt;
      samples.add(latency);
      kindSamples.get(req)!.add(latency);
      req.onResponse?.(r.status, r.body, c.ctx);
      if (!done) { idle.push(c); pump(); }
    });
  });
  await Promise.all(Array.from({ length: o.connections }, open));

  // connections are open before the clock starts (connection set-up is not the step's latency)
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const upTo = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      for (; scheduled < upTo; scheduled++) due.push(start + scheduled * intervalMs);
      pump();
      if (scheduled < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // what is due has been handed out or waits for a connection; give the last answers time to come
  const endBy = performance.now() + 2000;
  while ((dueHead < due.length || conns.some((c) => c.inFlight)) && performance.now() < endBy) await new Promise((r) => setTimeout(r, 5));
  done = true;
  loopDelay.disable();
  const elapsedS = (performance.now() - start) / 1000;
  const unsent = due.length - dueHead;
  for (const c of [...conns]) c.socket.destroy();
  const s = samples.summary();
  const busiest = Math.max(...sentAt) / Math.max(1, sentAt.reduce((a, b) => a + b, 0));
  return {
    offered: o.rate, achieved: answered / elapsedS, sent, answered, errors: errors + non2xx + unsent, non2xx, unsent,
    latency: { p50: round1(s.p50), p90: round1(samples.percentile(90)), p99: round1(s.p99), max: round1(s.max) },
    busiest_100ms_share: Math.round(busiest * 1000) / 1000,
    by_request: Object.fromEntries(o.requests.map((r, i) => {
      const k = kindSamples.get(r)!;
      return [`${r.method} #${i}`, k.count ? { p50: round1(k.percentile(50)), p99: round1(k.percentile(99)), max: round1(k.percentile(100)) } : { p50: 0, p99: 0, max: 0 }];
    })),
    generator_loop_delay_ms: { p99: round1(loopDelay.percentile(99) / 1e6), max: round1(loopDelay.max / 1e6) },
  };
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
