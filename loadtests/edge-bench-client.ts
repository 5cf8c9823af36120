/**
 * One load-generator process of `bench:edge`: opens `count` WebSocket fans from its own source
 * address (127.0.0.x: ~28k ephemeral ports each), joins each with a visitor token, and records the
 * lag from each position broadcast's tick time (`at`) to its arrival. A raw-socket client (handshake
 * and frames by hand) so the generator's own memory and CPU stay small next to the servers'.
 *
 * Every socket reads through `onread` into one buffer shared by the process: Node then calls us
 * straight from the read, without a Buffer per read nor the stream machinery behind 'data' (push,
 * emit, the readable state). At 100k fans that path is 50,000 reads a second across the generators,
 * and with 'data' the generators took more CPU per message than the edge did to send it. A frame
 * cut by a read is copied out of the shared buffer before the next read reuses it.
 *
 * The generator's own event-loop delay (perf_hooks histogram over the measured window) is reported
 * with the lags: a position message that waited in this process's queue of ready sockets is counted
 * as late, so the delay says how much of the p99 is the generator's, not the server's.
 *
 * Reads come in batches (BENCH_CLIENT_POLL_MS, default 5; 0: as before): between two polls the
 * process sleeps in a futex (Atomics.wait), not in epoll_wait, and each poll then drains every
 * socket that became ready. On loopback the sender's send() runs the receiver's TCP receive path
 * in its own context, waking the receiver included: with generators blocked in epoll_wait, every
 * position message woke one (in a 30k-fan profile, 12% of the edge's CPU in that wake-up and 12%
 * in being preempted by the woken generator; 24% of the generators' in the context switches), a
 * cost a fan on its own device puts on its own kernel, not the edge's. The sleep is counted: a
 * message's lag is taken when it is read, so it includes up to one poll interval that a client
 * blocked in epoll_wait would not have waited (the figure errs against the server, not for it).
 * Talks to the driver over IPC: {cmd:'enough'|'measure'|'report'|'stop'}.
 */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? '64');
/** `stream`: read through 'data' events as before (for a paired comparison); default `onread`. */
const STREAM_READS = process.env.BENCH_CLIENT_READ === 'stream';
/**
 * Source ports: each socket binds its own (`port`, the default), in turn over [FIRST_PORT, END_PORT)
 * from a random start, the next one tried when a port is taken (a TIME_WAIT of an earlier step);
 * `kernel`: bind to port 0 as before. A bind to the source address with port 0 makes Linux search
 * its bound ports for a free one, and that search grows with the sockets this address already
 * holds: in a profile of one generator opening 10,000 fans, 41% of its CPU was that connect call
 * (net's internalConnect), and each fan's connect got slower as more had joined.
 */
const BIND_PORTS = process.env.BENCH_CLIENT_BIND !== 'kernel';
const FIRST_PORT = 20_000;
const END_PORT = 65_000;
const BIND_TRIES = 50;
/** Ms between two polls of the sockets (see above); 0: block in epoll_wait as Node does by default. */
const POLL_MS = Number(process.env.BENCH_CLIENT_POLL_MS ?? '5');
let nextPort = FIRST_PORT + Math.floor(Math.random() * (END_PORT - FIRST_PORT));
function takePort(): number {
  const p = nextPort;
  nextPort = nextPort + 1 >= END_PORT ? FIRST_PORT : nextPort + 1;
  return p;
}

let joined = 0;
let failed = 0;
let measuring = false;
/** The driver's connect deadline passed: open no more, report who has joined so far. */
let enough = false;
const lags: number[] = [];
/** position messages read, and reads, over the measured window (reads/messages near 1: one read per message) */
let messages = 0;
let reads = 0;
const sockets: Socket[] = [];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

/** One read buffer for every socket of the process: the read callback runs synchronously, one socket at a time. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const HEADER_END = Buffer.from('\r\n\r\n');
const POSITION = Buffer.from('{"v":1,"type":"position"');
const AT = Buffer.from('"at":');

function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, payload]);
}

/**
 * Position messages are nearly all the traffic (one per fan per update): read from the bytes, no
 * string made, so the generator's CPU per message stays small next to the server's.
 */
function onPosition(buf: Buffer, start: number, end: number, now: number): void {
  if (!measuring) return;
  messages++;
  const i = buf.lastIndexOf(AT, end - AT.length);
  if (i < start) return;
  let at = 0;
  for (let k = i + AT.length; k < end; k++) {
    const d = buf[k]! - 48;
    if (d < 0 || d > 9) break;
    at = at * 10 + d;
  }
  lags.push(now - at);
}

const isPosition = (buf: Buffer, start: number, end: number): boolean => end - start >= POSITION.length && buf.compare(POSITION, 0, POSITION.length, start, start + POSITION.length) === 0;

/** One fan's socket: upgrade, then frames; `rest` holds a frame cut by a read (copied: the read buffer is shared). */
class Fan {
  sock!: Socket;
  upgraded = false;
  /** the join has an outcome (queued or error): a close after that is not a failed join */
  settled = false;
  rest: Buffer | null = null;
  private tries = 0;

  constructor(private readonly token: string, private readonly onUpgrade: () => void) {
    this.open();
  }

  private open(): void {
    const options = { host, port, localAddress, noDelay: true, ...(BIND_PORTS ? { localPort: takePort() } : {}) };
    const sock = STREAM_READS
      ? connect(options).on('data', (chunk: Buffer) => this.read(chunk, chunk.length))
      : connect({ ...options, onread: { buffer: READ_BUFFER, callback: (n, buf) => this.read(buf as Buffer, n) } });
    this.sock = sock;
    this.tries++;
    let portTaken = false;
    sock.on('connect', () => {
      const key = randomBytes(16).toString('base64');
      sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      portTaken = err.code === 'EADDRINUSE' && BIND_PORTS && this.tries < BIND_TRIES;
    }); // 'close' follows and counts it
    sock.on('close', () => {
      if (portTaken) return this.open(); // that source port is taken: the next one
      if (!this.upgraded || !this.settled) {
        failed++;
        this.settled = true;
      }
      this.onUpgrade();
    });
  }

  read(shared: Buffer, n: number): boolean {
    if (measuring) reads++;
    let buf = shared;
    let off = 0;
    let end = n;
    if (this.rest) {
      buf = Buffer.concat([this.rest, shared.subarray(0, n)]);
      end = buf.length;
      this.rest = null;
    }
    if (!this.upgraded) {
      const h = buf.subarray(0, end).indexOf(HEADER_END);
      if (h < 0) {
        this.rest = Buffer.from(buf.subarray(0, end));
        return true;
      }
      if (!buf.subarray(0, 12).toString().includes('101')) {
        this.sock.destroy(); // counted as failed by 'close'
        return true;
      }
      this.upgraded = true;
      sockets.push(this.sock);
      off = h + 4;
      this.onUpgrade();
    }
    const now = Date.now();
    while (end - off >= 2) {
      const opcode = buf[off]! & 0x0f;
      let len = buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        if (end - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (end - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (end - off < head + len) break;
      const start = off + head;
      off = start + len;
      if (opcode === 1) {
        if (isPosition(buf, start, off)) onPosition(buf, start, off, now);
        else this.onText(buf.toString('utf8', start, off));
      } else if (opcode === 9) {
        this.sock.write(Buffer.concat([Buffer.from([0x8a, 0x80 | len]), Buffer.alloc(4), buf.subarray(start, off)])); // pong, zero mask
      }
    }
    if (off < end) this.rest = Buffer.from(buf.subarray(off, end));
    return true;
  }

  onText(text: string): void {
    if (text.startsWith('{"v":1,"type":"hello"')) {
      this.sock.write(frame(JSON.stringify({ v: 1, type: 'join', token: this.token })));
    } else if (text.startsWith('{"v":1,"type":"queued"')) {
      if (!this.settled) joined++;
      this.settled = true;
    } else if (text.startsWith('{"v":1,"type":"error"') && !this.settled) {
      failed++; // a refused join (or an edge error) is a failure, not a fan still on its way
      this.settled = true;
      if (failed <= 5) process.stderr.write(`bench client: join refused: ${text}\n`);
    }
  }
}

/** Opens one fan; resolves once its upgrade is answered (or the socket is gone). */
function open(token: string): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    new Fan(token, () => {
      if (done) return;
      done = true;
      resolve();
    });
  });
}

/**
 * Sleeps POLL_MS, then lets the event loop poll once: a pending immediate makes libuv poll with a
 * zero timeout, so the loop never blocks in epoll_wait, and the sockets that became ready during
 * the sleep are all read in that poll (libuv takes up to 1,024 a call, again while it gets that many).
 */
function pollInBatches(): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const step = (): void => {
    Atomics.wait(nap, 0, 0, POLL_MS);
    setImmediate(step);
  };
  setImmediate(step);
}

async function main(): Promise<void> {
  if (POLL_MS > 0) pollInBatches();
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

const ms = (ns: number): number => ns / 1e6;

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'enough' && !enough) {
    enough = true;
    process.send?.({ event: 'joined', joined, failed, unfinished: count - joined - failed });
  }
  if (m.cmd === 'measure') {
    measuring = true;
    loopDelay.reset();
    loopDelay.enable();
  }
  if (m.cmd === 'report') {
    measuring = false;
    loopDelay.disable();
    const loop = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    process.send?.({ event: 'report', lags, messages, reads, loop });
  }
  if (m.cmd === 'stop') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});

void main();
