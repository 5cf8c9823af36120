/**
 * One load-generator process of `bench:edge`: opens `count` WebSocket fans from its own source
 * address (127.0.0.x: ~28k ephemeral ports each), joins each with a visitor token, and records the
 * lag from each position broadcast's tick time (`at`) to its arrival. A raw-socket client (handshake
 * and frames by hand) so the generator's own memory and CPU stay small next to the servers'.
 * Talks to the driver over IPC: {cmd:'enough'|'measure'|'report'|'stop'}.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { visitorTokens } from '../queue-edge/visitor-token.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const host = env('BENCH_HOST');
const port = Number(env('BENCH_PORT'));
const localAddress = env('BENCH_LOCAL_ADDRESS');
const count = Number(env('BENCH_FANS'));
const path = env('BENCH_PATH');
const secret = env('BENCH_VISITOR_SECRET');
// Few enough that a busy server's accept queue does not overflow (an overflowed SYN waits 1 s to retry).
const IN_FLIGHT = 64;

let joined = 0;
let failed = 0;
let measuring = false;
/** The driver's connect deadline passed: open no more, report who has joined so far. */
let enough = false;
const lags: number[] = [];
const sockets: Socket[] = [];
/** Sockets whose join has an outcome (queued or error): a close after that is not a failed join. */
const settledJoin = new WeakSet<Socket>();

function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, payload]);
}

const POSITION = Buffer.from('{"v":1,"type":"position"');
const AT = Buffer.from('"at":');

/**
 * Position messages are nearly all the traffic (one per fan per update): read from the bytes, no
 * string made, so the generator's CPU per message stays small next to the server's.
 */
function onPosition(payload: Buffer): void {
  if (!measuring) return;
  const i = payload.lastIndexOf(AT);
  if (i < 0) return;
  let at = 0;
  for (let k = i + AT.length; k < payload.length; k++) {
    const d = payload[k]! - 48;
    if (d < 0 || d > 9) break;
    at = at * 10 + d;
  }
  lags.push(Date.now() - at);
}

function onText(sock: Socket, token: string, text: string): void {
  if (text.startsWith('{"v":1,"type":"hello"')) {
    sock.write(frame(JSON.stringify({ v: 1, type: 'join', token })));
  } else if (text.startsWith('{"v":1,"type":"queued"')) {
    joined++;
    settledJoin.add(sock);
  } else if (text.startsWith('{"v":1,"type":"error"') && !settledJoin.has(sock)) {
    failed++; // a refused join (or an edge error) is a failure, not a fan still on its way
    settledJoin.add(sock);
    if (failed <= 5) process.stderr.write(`bench client: join refused: ${text}\n`);
  }
}

function open(token: string): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect({ host, port, localAddress });
    let upgraded = false;
    let buf: Buffer = Buffer.alloc(0);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      resolve();
    };
    sock.setNoDelay(true);
    sock.on('connect', () => {
      const key = randomBytes(16).toString('base64');
      sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    sock.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes('101')) {
          sock.destroy(); // counted as failed by 'close'
          return settle();
        }
        upgraded = true;
        sockets.push(sock);
        buf = buf.subarray(end + 4);
        settle();
      }
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 1) {
          if (payload.length >= POSITION.length && payload.compare(POSITION, 0, POSITION.length, 0, POSITION.length) === 0) onPosition(payload);
          else onText(sock, token, payload.toString());
        }
        else if (opcode === 9) sock.write(Buffer.concat([Buffer.from([0x8a, 0x80 | payload.length]), Buffer.alloc(4), payload])); // pong, zero mask
      }
    });
    sock.on('error', () => undefined); // 'close' follows and counts it
    sock.on('close', () => {
      if (!upgraded || !settledJoin.has(sock)) {
        failed++;
        settledJoin.add(sock);
      }
      settle();
    });
  });
}

async function main(): Promise<void> {
  const tokens = visitorTokens(secret);
  const list = await Promise.all(Array.from({ length: count }, async () => (await tokens.issue()).token));
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < list.length && !enough) await open(list[next++]!);
  }));
  let said = Date.now();
  while (joined + failed < count && !enough) {
    await new Promise((r) => setTimeout(r, 50));
    if (Date.now() - said >= 15_000) {
      said = Date.now();
      process.stderr.write(`bench client ${localAddress}: ${joined} joined, ${failed} failed of ${count}\n`);
    }
  }
  if (!enough) process.send?.({ event: 'joined', joined, failed });
}

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'enough' && !enough) {
    enough = true;
    process.send?.({ event: 'joined', joined, failed, unfinished: count - joined - failed });
  }
  if (m.cmd === 'measure') measuring = true;
  if (m.cmd === 'report') {
    measuring = false;
    process.send?.({ event: 'report', lags });
  }
  if (m.cmd === 'stop') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});

void main();
