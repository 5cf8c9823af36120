/** The per-operation CPU figures of the load test: each role's seconds over its own operation count, the rest of the machine apart. */
import { describe, expect, it } from 'vitest';
import { cpuFigures } from './role-cpu.js';

describe('cpuFigures', () => {
  it('divides each role by its operations and marks a run the rest of the machine crowded', () => {
    const f = cpuFigures({ api: 2, edge: 1, worker: 3, redis: 0.5, postgres: 4, machine_s: 20, wall_s: 10 }, { cpu_generator_s: 5, apiRequests: 10_000, holds: 1000, orders: 800, fans: 5000 });
    expect(f).toMatchObject({ api_us_per_request: 200, redis_us_per_hold: 500, worker_us_per_order: 3750, postgres_us_per_order: 5000, edge_us_per_fan: 200, servers_us_per_order: 13_125 });
    // 20 s busy − 10.5 s servers − 5 s generator = 4.5 s of 10 s × 2 cores
    expect(f.seconds.rest_of_machine).toBe(4.5);
    expect(f.rest_of_machine_share).toBeCloseTo(0.225, 3);
    expect(f.noisy).toBe(true);
    expect(cpuFigures({ api: 0, edge: 0, worker: 0, redis: 0, postgres: 0, machine_s: 0, wall_s: 1 }, { cpu_generator_s: 0, apiRequests: 0, holds: 0, orders: 0, fans: 0 }).api_us_per_request).toBeNull();
  });
});
