/**
 * A MONITOR window on Redis (load tests' cost samplers, tests that count commands): for `ms`
 * milliseconds, or until `onCommand` answers true, every command the server runs is handed to
 * `onCommand`, as one MONITOR line. Spoken over a plain socket (a client library's command queue
 * has no notion of a connection that only streams); any failure ends the window with an error
 * instead of the run. MONITOR slows Redis while it runs, so callers keep their windows short.
 */
import net from 'node:net';

/** The arguments of one MONITOR line: `+<time> [<db> <client>] "cmd" "arg" …` (quoted, backslash-escaped). */
export function monitorArgs(line: string): string[] {
  const out: string[] = [];
  const from = line.indexOf('] ');
  if (from < 0) return out;
  for (const m of line.slice(from + 2).matchAll(/"((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}

/** `+<time> [<db> <client>] "cmd" …` → the client: `lua` for a command run inside a script. */
export function monitorSource(line: string): string {
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  if (open < 0 || close < 0) return '';
  return line.slice(open + 1, close).split(' ')[1] ?? '';
}

/** Runs the window; `onStart` when Redis has begun streaming. Resolves to the window's length in seconds once the socket closed. */
export async function monitorWindow(redisUrl: string, ms: number, onStart: () => void, onCommand: (line: string) => boolean | void): Promise<number> {
  const url = new URL(redisUrl);
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
  let rest = '';
  let started = 0;
  const done = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('latin1')).split('\r\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '+OK' && !started) {
          started = Date.now();
          onStart();
          setTimeout(() => socket.end(), ms);
          continue;
        }
        if (line.startsWith('-')) return reject(new Error(`MONITOR: ${line}`));
        if (!started || line[0] !== '+') continue;
        if (onCommand(line) === true) {
          socket.end();
          return;
        }
      }
    });
  });
  socket.write('MONITOR\r\n');
  const guard = setTimeout(() => socket.destroy(new Error('MONITOR window did not end')), ms + 15_000);
  try {
    await done;
  } finally {
    clearTimeout(guard);
    socket.destroy();
  }
  if (!started) throw new Error('MONITOR never answered +OK');
  return (Date.now() - started) / 1000;
}
