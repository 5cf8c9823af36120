/** The MONITOR lines of the tail window: who ran a command, and whether it names the sale's shard keys. */
import { describe, expect, it } from 'vitest';
import { monitorArgs, monitorSource } from '../../test/support/redis-monitor.js';
import { tailCommand } from './hold-tail-cost.js';

describe('hold tail window', () => {
  const tag = '{s1:';
  it('tells script calls, commands inside scripts and plain commands apart', () => {
    const call = '+1733580000.123456 [0 127.0.0.1:50000] "evalsha" "abc" "10" "usher:inv:{s1:3}:meta" "usher:inv:{s1:3}:seats"';
    const inner = '+1733580000.123500 [0 lua] "HMGET" "usher:inv:{s1:3}:meta" "published"';
    const plain = '+1733580000.123600 [0 127.0.0.1:50001] "hgetall" "usher:inv:{s1:12}:counts"';
    const other = '+1733580000.123700 [0 127.0.0.1:50002] "hgetall" "usher:inv:{s11:2}:counts"';
    const queue = '+1733580000.123800 [0 127.0.0.1:50003] "zcard" "usher:q:{s1}:waiting"';
    expect(monitorSource(call)).toBe('127.0.0.1:50000');
    expect(monitorSource(inner)).toBe('lua');
    expect(tailCommand(monitorArgs(call), monitorSource(call), tag)).toBe('script');
    expect(tailCommand(monitorArgs(inner), monitorSource(inner), tag)).toBe('in_script');
    expect(tailCommand(monitorArgs(plain), monitorSource(plain), tag)).toBe('plain');
    expect(tailCommand(monitorArgs(other), monitorSource(other), tag)).toBeNull();
    expect(tailCommand(monitorArgs(queue), monitorSource(queue), tag)).toBeNull();
  });
});
