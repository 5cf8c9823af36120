/**
 * Preloaded (`--import`) into a server process by `edge-memory.ts`: answers the driver over IPC with
 * the process's memory after a full GC (`--expose-gc`) and writes heap snapshots on request.
 */
import v8 from 'node:v8';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const gc = (globalThis as { gc?: () => void }).gc;

function statusKb(field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
}

/**
 * RSS by kind of mapping: the main malloc heap (`[heap]`), glibc's per-thread arenas (anonymous
 * mappings inside 64 MB-aligned reservations: what the libuv threadpool mallocs), and the rest
 * (V8's heap pages, stacks, code, files).
 */
function rssByMapping(): Record<string, number> {
  const out: Record<string, number> = { heap: 0, threadArenas: 0, otherAnon: 0, file: 0 };
  let kind = 'file';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const start = BigInt(`0x${head[1]}`);
      const name = head[4]!;
      const size = BigInt(`0x${head[2]}`) - start;
      if (name === '[heap]') kind = 'heap';
      else if (name !== '') kind = name.startsWith('[') ? 'otherAnon' : 'file';
      else kind = start % (64n << 20n) === 0n && size <= 64n << 20n ? 'threadArenas' : 'otherAnon';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind]! += Number(rss[1]);
  }
  return out;
}

let session: Session | null = null;

process.on('message', (m: { probe?: string; file?: string }) => {
  // Sampling allocation profile, collected objects included: where the garbage comes from.
  if (m.probe === 'alloc-start') {
    session = new Session();
    session.connect();
    session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never, () => process.send?.({ event: 'alloc-started' }));
  }
  if (m.probe === 'alloc-stop' && session && m.file) {
    const file = m.file;
    session.post('HeapProfiler.stopSampling', (err, r) => {
      if (!err) writeFileSync(file, JSON.stringify(r.profile));
      process.send?.({ event: 'alloc-stopped', file, error: err?.message });
    });
  }
  // Without a GC: what the process holds right now, as the bench's RSS samples see it.
  if (m.probe === 'peek') {
    const mu = process.memoryUsage();
    process.send?.({ event: 'peek', rssKb: statusKb('VmRSS'), heapTotal: mu.heapTotal, heapUsed: mu.heapUsed, external: mu.external, arrayBuffers: mu.arrayBuffers, mappingsKb: rssByMapping() });
  }
  if (m.probe === 'mem') {
    const rssBeforeGc = statusKb('VmRSS');
    const raw = process.memoryUsage();
    const mappingsBeforeGcKb = rssByMapping();
    for (let i = 0; i < 3; i++) gc?.();
    const mu = process.memoryUsage();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
    process.send?.({ event: 'mem', heapTotalBeforeGc: raw.heapTotal, heapUsedBeforeGc: raw.heapUsed, mappingsBeforeGcKb, mappingsKb: rssByMapping(), rssBeforeGcKb: rssBeforeGc, rssKb: statusKb('VmRSS'), heapTotal: mu.heapTotal, heapUsed: mu.heapUsed, external: mu.external, arrayBuffers: mu.arrayBuffers, spaces });
  }
  if (m.probe === 'snapshot' && m.file) {
    gc?.();
    v8.writeHeapSnapshot(m.file);
    process.send?.({ event: 'snapshot', file: m.file });
  }
});
