/**
 * The generator processes: fan processes (WebSocket fans and their shopping; one loopback source
 * address each), the browse process (autocannon) and the seat-map viewers. Forked with the tsx loader, they report over
 * IPC; this module keeps their latest state and merges their request counts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MeterTotals } from './request-meter.js';
import type { FanPlan, FanReport, OrderedHold } from './fan-plan.js';
import type { BrowseMessage, BrowsePlan, EndpointStage } from './browse-plan.js';
import type { ViewerBytes, ViewerMessage, ViewerPlan } from './map-viewers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * Generators run at a lower priority (nice 10): on two shared cores the kernel otherwise splits CPU
 * per runnable process, and five busy generator processes starve the single API process, so the
 * test would measure the scheduler rather than Usher. The split that results is reported.
 */
export const GENERATOR_NICE = 10;

function forkTs(file: string): ChildProcess {
  const child = fork(path.join(here, file), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    if (child.pid) setPriority(child.pid, GENERATOR_NICE);
  } catch {
    // not allowed here: the generator runs at normal priority, which the CPU split will show
  }
  return child;
}

export class Generators {
  readonly totals = new MeterTotals();
  readonly fans = new Map<number, FanReport>();
  readonly orders: OrderedHold[] = [];
  readonly paid: string[] = [];
  readonly stages: EndpointStage[] = [];
  /** Latencies reported since the last `drainLatencies` (for the per-interval percentiles). */
  private recent: number[] = [];
  private fanProcs: ChildProcess[] = [];
  private browse: ChildProcess | null = null;
  private viewers: ChildProcess | null = null;
  /** The viewers' cumulative byte counts (latest report). */
  viewerBytes: ViewerBytes | null = null;
  browseDone = false;
  lags: number[] = [];
  reconnectMs: number[] = [];
  holdsAt: number[] = [];

  pids(): number[] {
    return [...this.fanProcs, this.browse, this.viewers].flatMap((c) => (c?.pid ? [c.pid] : []));
  }

  startFans(plans: FanPlan[]): void {
    for (const plan of plans) {
      const child = forkTs('fan-process.ts');
      child.on('message', (m: FanReport) => this.onFanReport(m));
      child.send({ type: 'start', plan });
      this.fanProcs.push(child);
    }
  }

  startBrowse(plan: BrowsePlan): void {
    const child = forkTs('browse-process.ts');
    child.on('message', (m: BrowseMessage) => {
      if (m.type === 'report') this.addMeter(m.meter);
      else if (m.type === 'stage') this.stages.push(m.result);
      else this.browseDone = true;
    });
    child.on('exit', () => (this.browseDone = true));
    child.send({ type: 'start', plan });
    this.browse = child;
  }

  startViewers(plan: ViewerPlan): void {
    const child = forkTs('map-viewers.ts');
    child.on('message', (m: ViewerMessage) => {
      if (m.type !== 'report') return;
      this.addMeter(m.meter);
      this.viewerBytes = m.bytes;
    });
    child.send({ type: 'start', plan });
    this.viewers = child;
  }

  private addMeter(meter: FanReport['meter']): void {
    this.totals.add(meter);
    for (const list of Object.values(meter.latencies)) for (const v of list) this.recent.push(v);
  }

  private onFanReport(m: FanReport): void {
    this.addMeter(m.meter);
    for (const v of m.lags) this.lags.push(v);
    for (const v of m.reconnectMs) this.reconnectMs.push(v);
    for (const v of m.holdsAt) this.holdsAt.push(v);
    this.orders.push(...m.orders);
    this.paid.push(...m.paid);
    this.fans.set(m.index, m);
  }

  drainLatencies(): number[] {
    const out = this.recent;
    this.recent = [];
    return out;
  }

  /** Sum of a numeric field over the fan processes' latest reports. */
  fanSum(field: 'connected' | 'queued' | 'offers' | 'admitted' | 'shopping' | 'reconnects' | 'unexpectedCloses' | 'placesKept' | 'placesLost' | 'awaitingPlace'): number {
    let n = 0;
    for (const r of this.fans.values()) n += r[field];
    return n;
  }

  fanCounts(field: 'errors' | 'outcomes'): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.fans.values()) for (const [k, v] of Object.entries(r[field])) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  /** Stops the browse load (if still running) and every fan process, waiting for their last reports. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.browse && this.browse.exitCode === null) this.browse.kill('SIGTERM');
    const stoppable = this.viewers ? [...this.fanProcs, this.viewers] : this.fanProcs;
    await Promise.all(stoppable.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.send({ type: 'stop' });
    })));
  }
}
