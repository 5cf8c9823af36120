/**
 * Per-address limits shared by every edge through Redis (a fixed one-minute window per action):
 * socket upgrades and queue joins. One place per visitor is enforced by the queue itself.
 */
import type { QueueStore } from './queue-store.js';

const WINDOW_MS = 60_000;

export interface AbuseLimits {
  /** True when this address may do `action` once more in the current window. */
  allow(action: 'connect' | 'join' | 'visitor', ip: string): Promise<boolean>;
}

export function abuseLimits(store: QueueStore, perMin: { connect: number; join: number; visitor: number }): AbuseLimits {
  return {
    async allow(action, ip) {
      return (await store.hit(action, ip, WINDOW_MS)) <= perMin[action];
    },
  };
}
