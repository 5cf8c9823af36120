import { describe, expect, it } from 'vitest';
import { parseRedisCpu, redisCpuDelta } from './redis-cpu.js';

describe('Redis CPU accounting', () => {
  it('reads INFO cpu and commandstats, and leaves the meter’s own INFO calls out of the delta', () => {
    const before = parseRedisCpu('# CPU\r\nused_cpu_sys:1.500000\r\nused_cpu_user:2.000000\r\n# Commandstats\r\ncmdstat_evalsha:calls=10,usec=100,usec_per_call=10.00\r\ncmdstat_info:calls=4,usec=40,usec_per_call=10\r\n');
    const after = parseRedisCpu('used_cpu_sys:1.600000\r\nused_cpu_user:2.300000\r\ncmdstat_evalsha:calls=30,usec=400,usec_per_call=13.3\r\ncmdstat_hset:calls=20,usec=50,usec_per_call=2.5\r\ncmdstat_info:calls=6,usec=60,usec_per_call=10\r\n');
    expect(before.cpuS).toBeCloseTo(3.5);
    const d = redisCpuDelta(before, after);
    expect(d.cpuS).toBeCloseTo(0.4);
    expect(d.calls).toEqual({ evalsha: 20, hset: 20 });
    expect(d.scriptUsec).toBe(300);
  });
});
