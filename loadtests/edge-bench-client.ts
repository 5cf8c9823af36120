/**
 * One load-generator process of `bench:edge`: opens `count` WebSocket fans from its own source
 * address (127.0.0.x: ~28k ephemeral ports each), joins each with a visitor token, and records the
 * lag from each position broadcast's tick time (`at`) to its arrival. A raw-socket client (handshake
 * and frames by hand) so the generator's own memory and CPU stay small next to the servers'.
 *
 * Every socket reads into one buffer shared by the process: Node then calls us straight from the
 * read, without a Buffer per read nor the stream machinery behind 'data' (push, emit, the readable
 * state). At 100k fans that path is 50,000 reads a second across the generators, and with 'data'
 * the generators took more CPU per message than the edge did to send it. By default (`handle`) the
 * sockets are Node's own TCP handles (the `tcp_wrap` binding behind `net.Socket`), read with
 * `useUserBuffer` as `net`'s `onread` option does, but without a `net.Socket` around each: its
 * `onStreamRead` was 17% of a generator's CPU in a profile; `onread` keeps `net.connect` with the
 * `onread` option. A frame cut by a read is copied out of the shared buffer before the next read
 * reuses it.
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
/** `handle` (default): raw TCP handles; `onread`: net.connect's onread option; `stream`: 'data' events (the earlier ways, for paired runs). */
const READ_MODE = process.env.BENCH_CLIENT_READ ?? 'handle';
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
/** A fan's connection, whichever way it is read. */
interface Conn {
  write(data: string | Buffer): void;
  destroy(): void;
}
const sockets: Conn[] = [];
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
 * string made and no call into C++ (Buffer compare / lastIndexOf), so the generator's CPU per
 * message stays small next to the server's. `at` is the message's last field (the edge's and the
 * baseline's encoders write it last); a message that does not end so is searched for it.
 */
function onPosition(buf: Buffer, start: number, end: number, now: number): void {
  if (!measuring) return;
  messages++;
  let k = end - 1; // '}'
  while (k > start && buf[k - 1]! >= 48 && buf[k - 1]! <= 57) k--;
  let i = k - AT.length;
  if (i < start || buf[i] !== 0x22 || buf[i + 1] !== 0x61 || buf[i + 2] !== 0x74 || buf[i + 3] !== 0x22 || buf[i + 4] !== 0x3a) {
    i = buf.lastIndexOf(AT, end - AT.length);
    if (i < start) return;
  }
  let at = 0;
  for (let j = i + AT.length; j < end; j++) {
    const d = buf[j]! - 48;
    if (d < 0 || d > 9) break;
    at = at * 10 + d;
  }
  lags.push(now - at);
}

/** `{"v":1,"type":"position"`: nothing else the servers send has `pos` where the type begins. */
const isPosition = (buf: Buffer, start: number, end: number): boolean =>
  end - start >= POSITION.length && buf[start + 15] === 0x70 && buf[start + 16] === 0x6f && buf[start + 17] === 0x73 && buf[start + 8] === 0x74 && buf[start + 1] === 0x22;

/** What a connection needs from its fan. */
interface FanEnd {
  connected(): void;
  read(buf: Buffer, n: number): boolean;
  closed(portTaken: boolean): void;
}

/** `net.connect`, read through its `onread` option or 'data' events. */
function netConnect(fan: FanEnd): Conn {
  const options = { host, port, localAddress, noDelay: true, ...(BIND_PORTS ? { localPort: takePort() } : {}) };
  const sock: Socket = READ_MODE === 'stream'
    ? connect(options).on('data', (chunk: Buffer) => fan.read(chunk, chunk.length))
    : connect({ ...options, onread: { buffer: READ_BUFFER, callback: (n, buf) => fan.read(buf as Buffer, n) } });
  let portTaken = false;
  sock.on('connect', () => fan.connected());
  sock.on('error', (err: NodeJS.ErrnoException) => {
    portTaken = err.code === 'EADDRINUSE';
  }); // 'close' follows and counts it
  sock.on('close', () => fan.closed(portTaken));
  return sock;
}

/**
 * Node's internal TCP handle, as `net.Socket` drives it (lib/net.js: bind, connect with a
 * TCPConnectWrap, useUserBuffer + onread, writes with a WriteWrap), minus the Socket. The bindings
 * are internal but stable across Node 20; a test tool's, not the product's.
 */
interface TcpHandle {
  bind(address: string, port: number): number;
  connect(req: object, address: string, port: number): number;
  setNoDelay(on: boolean): number;
  useUserBuffer(buf: Buffer): void;
  readStart(): number;
  writeLatin1String(req: object, text: string): number;
  writeBuffer(req: object, buf: Buffer): number;
  close(cb?: () => void): void;
  onread: () => void;
}
interface TcpBindings {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => { oncomplete?: (status: number) => void };
  constants: { SOCKET: number };
}
interface StreamBindings {
  WriteWrap: new () => { handle?: TcpHandle; oncomplete?: () => void; async?: boolean };
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
}
const internal = process as unknown as { binding(name: string): unknown };
const tcpWrap = (): TcpBindings => internal.binding('tcp_wrap') as TcpBindings;
const streamWrap = (): StreamBindings => internal.binding('stream_wrap') as StreamBindings;
/** libuv's EADDRINUSE: a bind's error comes with the connect's completion */
const UV_EADDRINUSE = -98;

function rawConnect(fan: FanEnd): Conn {
  const tcp = tcpWrap();
  const { WriteWrap, streamBaseState, kReadBytesOrError } = streamWrap();
  const handle = new tcp.TCP(tcp.constants.SOCKET);
  let open = true;
  const close = (portTaken: boolean): void => {
    if (!open) return;
    open = false;
    handle.onread = () => undefined;
    handle.close(() => fan.closed(portTaken));
  };
  const conn: Conn = {
    write(data) {
      if (!open) return;
      const req = new WriteWrap();
      req.handle = handle;
      req.oncomplete = () => undefined;
      req.async = false;
      const err = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
      if (err < 0) close(false);
    },
    destroy: () => close(false),
  };
  const bound = handle.bind(localAddress, BIND_PORTS ? takePort() : 0);
  if (bound < 0) {
    queueMicrotask(() => close(bound === UV_EADDRINUSE));
    return conn;
  }
  const req = new tcp.TCPConnectWrap();
  req.oncomplete = (status) => {
    if (status < 0) return close(status === UV_EADDRINUSE);
    handle.setNoDelay(true);
    handle.useUserBuffer(READ_BUFFER);
    handle.onread = () => {
      const n = streamBaseState[kReadBytesOrError]!;
      if (n > 0) fan.read(READ_BUFFER, n);
      else if (n < 0) close(false); // EOF or a read error
    };
    if (handle.readStart() < 0) return close(false);
    fan.connected();
  };
  const err = handle.connect(req, host, port);
  if (err < 0) queueMicrotask(() => close(err === UV_EADDRINUSE));
  return conn;
}

/** One fan's socket: upgrade, then frames; `rest` holds a frame cut by a read (copied: the read buffer is shared). */
class Fan {
  sock!: Conn;
  upgraded = false;
  /** the join has an outcome (queued or error): a close after that is not a failed join */
  settled = false;
  rest: Buffer | null = null;
  private tries = 0;

  constructor(private readonly token: string, private readonly onUpgrade: () => void) {
    this.open();
  }

  private open(): void {
    this.tries++;
    const conn = READ_MODE === 'handle' ? rawConnect(this) : netConnect(this);
    this.sock = conn;
  }

  /** Connected: ask for the upgrade. */
  connected(): void {
    const key = randomBytes(16).toString('base64');
    this.sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  }

  /** The connection is gone; `portTaken`: its source port was in use, so the next one is tried. */
  closed(portTaken: boolean): void {
    if (portTaken && BIND_PORTS && this.tries < BIND_TRIES) return this.open();
    if (!this.upgraded || !this.settled) {
      failed++;
      this.settled = true;
    }
    this.onUpgrade();
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
