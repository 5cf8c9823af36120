/**
 * CPU seconds of each server role over the run (api, edge, worker, redis-server, the PostgreSQL
 * tree), of the whole machine (/proc/stat), and from them the cost per operation that the other
 * benches print (µs of API CPU per API request, of Redis per hold, of worker and PostgreSQL per
 * committed order, of the edge per fan). In a mixed load each role's CPU is all its work divided
 * by one operation count (Redis per hold also carries the queue, the admission ticks, the
 * availability and seat-state reads; the API per request is averaged over every route), so these
 * are costs of the on-sale as a whole, not of one code path: bench:inventory and bench:checkout
 * isolate those.
 */
import { machineBusySeconds, machineCores, NOISY_SHARE, restShare } from '../lib/machine-cpu.js';
import { TreeCpu } from './cpu-tree.js';

export type Role = 'api' | 'edge' | 'worker' | 'redis' | 'postgres';

export class RoleCpu {
  private readonly meters: Map<Role, TreeCpu>;
  private machine0 = 0;
  private started = 0;

  constructor(roots: Record<Role, () => number[]>) {
    this.meters = new Map(Object.entries(roots).map(([role, r]) => [role as Role, new TreeCpu(r)]));
  }

  start(): void {
    for (const m of this.meters.values()) m.start();
    this.machine0 = machineBusySeconds();
    this.started = Date.now();
  }

  /** Seconds per role since start (read every few seconds so short-lived backends are caught), and the machine's. */
  read(): RoleSeconds {
    const out = {} as Record<Role, number>;
    for (const [role, m] of this.meters) out[role] = m.read();
    return { ...out, machine_s: machineBusySeconds() - this.machine0, wall_s: (Date.now() - this.started) / 1000 };
  }
}

export type RoleSeconds = Record<Role, number> & { machine_s: number; wall_s: number };

const us = (cpuS: number, n: number): number | null => (n > 0 ? Math.round((cpuS * 1e6) / n) : null);
const r1 = (v: number): number => Math.round(v * 10) / 10;

export function cpuFigures(s: RoleSeconds, n: { cpu_generator_s: number; apiRequests: number; holds: number; orders: number; fans: number }) {
  const servers = s.api + s.edge + s.worker + s.redis + s.postgres;
  const rest = s.machine_s - servers - n.cpu_generator_s;
  const share = restShare(rest, s.wall_s);
  return {
    seconds: { api: r1(s.api), edge: r1(s.edge), worker: r1(s.worker), redis: r1(s.redis), postgres: r1(s.postgres), generator: r1(n.cpu_generator_s), rest_of_machine: r1(Math.max(0, rest)), wall: r1(s.wall_s), cores: machineCores },
    api_us_per_request: us(s.api, n.apiRequests),
    redis_us_per_hold: us(s.redis, n.holds),
    worker_us_per_order: us(s.worker, n.orders),
    postgres_us_per_order: us(s.postgres, n.orders),
    edge_us_per_fan: us(s.edge, n.fans),
    servers_us_per_order: us(servers, n.orders),
    rest_of_machine_share: Math.round(share * 1000) / 1000,
    noisy: share > NOISY_SHARE,
  };
}
