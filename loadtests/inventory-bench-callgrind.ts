/**
 * The `callgrind` phase of `bench:inventory`: Redis instructions per operation, counted by valgrind
 * on a second, private redis-server — the same count on a busy shared machine as on a quiet one,
 * where CPU seconds move with the neighbours. Counts user space only (the kernel's socket work is
 * not in them), so a trivial call's count understates its CPU time more than a hold's does.
 * Operations: a trivial EVALSHA, then best-available holds of QUANTITY seats through the wrapper in
 * rounds of `batch` passes sent in one turn of the event loop (1 = one script call per hold).
 */
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Redis } from 'ioredis';
import { freePort } from '../scripts/services.js';
import { createSeatInventory } from '../inventory/index.js';
import { FLOOR_LUA, QUANTITY, newSale } from './inventory-bench-holds.js';

export interface InstructionCount {
  step: string;
  ops: number;
  instructions_per_op: number;
  /** the same without serverCron, which runs by the clock (10 times a second, slowed down by valgrind) and not per operation: the steadier figure */
  instructions_per_op_without_cron?: number;
}

/** Instructions under serverCron in a dump (callgrind_annotate, inclusive), 0 when it cannot tell. */
function cronInstructions(dump: string): number {
  try {
    const out = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', dump], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const line = out.split('\n').find((l) => /:serverCron\b/.test(l) && !/'\d/.test(l));
    return Number(line?.trim().split(/\s+/)[0]?.replace(/,/g, '') ?? 0) || 0;
  } catch {
    return 0;
  }
}

export async function callgrindPhase(pool: pg.Pool, batches: readonly number[], ops: number, say: (line: string) => void): Promise<InstructionCount[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-callgrind-'));
  const port = await freePort();
  // the persistence of production (scripts/services.ts startRedis: AOF, fsync every second): a
  // script's writes are propagated to the AOF as its commands, which a hold pays and a trivial
  // EVALSHA does not
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${dir}/cg.out`,
    'redis-server', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  // valgrind takes seconds to start the server: commands wait in the offline queue until it answers
  const redis = new Redis(url, { retryStrategy: () => 200, maxRetriesPerRequest: null });
  const out: InstructionCount[] = [];
  const keep = process.env.CALLGRIND_KEEP;
  if (keep) mkdirSync(keep, { recursive: true });
  // one measured window: counters zeroed, instrumentation on, `work`, off, dumped and read back
  const count = async (step: string, n: number, work: () => Promise<void>): Promise<void> => {
    const pid = String(child.pid);
    execFileSync('callgrind_control', ['-z', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-i', 'on', pid], { stdio: 'ignore' });
    await work();
    execFileSync('callgrind_control', ['-i', 'off', pid], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['-d', pid], { stdio: 'ignore' });
    const dumps = readdirSync(dir).filter((f) => /^cg\.out\.\d+$/.test(f)).sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
    const dump = path.join(dir, dumps.at(-1)!);
    const totals = Number(/^totals: (\d+)/m.exec(readFileSync(dump, 'utf8'))?.[1]);
    const point: InstructionCount = { step, ops: n, instructions_per_op: Math.round(totals / n), instructions_per_op_without_cron: Math.round((totals - cronInstructions(dump)) / n) };
    // CALLGRIND_KEEP=<dir>: keep each window's dump for `callgrind_annotate` (where the instructions go)
    if (keep) copyFileSync(dump, path.join(keep, `${step.replace(/[^a-z0-9]+/gi, '-')}.cg.out`));
    out.push(point);
    say(`callgrind ${step}: ${point.instructions_per_op} instructions per op (${point.instructions_per_op_without_cron} without serverCron)`);
  };
  try {
    await Promise.race([redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('redis-server under valgrind did not answer in 60 s')), 60_000))]);
    const sha = String(await redis.script('LOAD', FLOOR_LUA));
    for (let j = 0; j < 200; j++) await redis.evalsha(sha, 0);
    await count("floor EVALSHA 'return 1'", ops, async () => {
      for (let done = 0; done < ops; done += 50) await Promise.all(Array.from({ length: 50 }, () => redis.evalsha(sha, 0)));
    });
    for (const batch of batches) {
      const sale = await newSale(pool, url, (ops + 200) * QUANTITY);
      const inv = createSeatInventory({ redis, pg: pool, availabilityCacheMs: 0, holdBatch: { maxBatch: Math.max(1, batch) } });
      const request = { kind: 'best' as const, sectionId: sale.sectionId, quantity: QUANTITY };
      const round = (): Promise<unknown> => Promise.all(Array.from({ length: batch }, () => inv.hold(sale.saleId, randomUUID(), request)));
      for (let j = 0; j < 4; j++) await round(); // scripts loaded, layout cached
      await count(`hold best, ${batch === 1 ? 'one call per hold' : `batches of ${batch}`}`, ops, async () => {
        for (let done = 0; done < ops; done += batch) await round();
      });
    }
    return out;
  } finally {
    redis.disconnect();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
