/**
 * How busy the whole machine was (from /proc/stat), so a step can say how much of the CPU went to
 * processes that are not part of the benchmark (other sessions on the shared cores) and be marked
 * noisy when that share is too large to trust its figures.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** Busy CPU seconds of every core since boot (user, nice, system, irq, softirq, steal; not idle or iowait). */
export function machineBusySeconds(stat = readFileSync('/proc/stat', 'utf8')): number {
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_S;
}

export const machineCores = cpus().length;

/**
 * A step is noisy when the rest of the machine took more than this share of its CPU capacity
 * over the step (0.1 on 2 cores = 0.2 CPU-seconds per second).
 */
export const NOISY_SHARE = 0.1;

export function restShare(restCpuS: number, seconds: number, cores = machineCores): number {
  return seconds > 0 ? Math.max(0, restCpuS) / (seconds * cores) : 0;
}
