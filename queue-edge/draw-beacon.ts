/**
 * The public randomness the opening draw's seed is derived from (README: "A draw anyone can
 * verify"). With a drand chain configured (DRAW_BEACON_URL), the round is fixed when the pre-queue
 * closes: the first round emitted at least DRAW_BEACON_DELAY_S after the close, a value no one
 * knows then, and that no single party can choose or bias (drand is a threshold network). The edge
 * waits for that round and records the beacon's answer; a verifier re-fetches it from drand.
 * If the round cannot be had within DRAW_BEACON_TIMEOUT_S of its time, or no beacon is configured,
 * the edge draws its own 32 random bytes and records the beacon as `fallback` / `none`: the draw is
 * still reproducible, but the operator could have chosen the seed, and the verifier says so.
 */
import { newShuffleSeed } from './fair-draw.js';

export type BeaconPlan =
  | { kind: 'drand'; url: string; round: number; roundAt: number; delayS: number }
  | { kind: 'none'; reason: string };

export type BeaconValue =
  | { kind: 'drand'; url: string; round: number; roundAt: number; delayS: number; randomness: string }
  | { kind: 'none' | 'fallback'; reason: string; randomness: string };

export interface DrawBeacon {
  /** The beacon round that will seed a draw whose list closed at `closedAtMs`. */
  plan(closedAtMs: number): Promise<BeaconPlan>;
  /** The planned value once it exists (null: not yet, try again next tick). */
  value(plan: BeaconPlan, nowMs: number): Promise<BeaconValue | null>;
}

type Fetch = typeof globalThis.fetch;

export interface DrandOptions {
  url: string;
  delayS: number;
  timeoutS: number;
  fetch?: Fetch;
}

/** Round r of a drand chain is emitted at genesis + (r − 1)·period (seconds). */
export function drandRoundAt(info: { genesis_time: number; period: number }, atS: number): { round: number; roundAt: number } {
  const round = Math.max(1, Math.ceil((atS - info.genesis_time) / info.period) + 1);
  return { round, roundAt: (info.genesis_time + (round - 1) * info.period) * 1000 };
}

export function drandBeacon(o: DrandOptions): DrawBeacon {
  const get = o.fetch ?? globalThis.fetch;
  const url = o.url.replace(/\/$/, '');
  let info: { genesis_time: number; period: number } | null = null;
  const json = async (path: string): Promise<unknown> => {
    const res = await get(`${url}${path}`, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    return res.json();
  };
  return {
    async plan(closedAtMs) {
      try {
        info ??= (await json('/info')) as typeof info;
        if (!info || typeof info.genesis_time !== 'number' || typeof info.period !== 'number') throw new Error('no chain info');
      } catch (err) {
        info = null;
        return { kind: 'none', reason: `beacon ${url} unreachable at close: ${(err as Error).message}` };
      }
      return { kind: 'drand', url, ...drandRoundAt(info, closedAtMs / 1000 + o.delayS), delayS: o.delayS };
    },
    async value(plan, nowMs) {
      if (plan.kind === 'none') return { kind: 'fallback', reason: plan.reason, randomness: newShuffleSeed() };
      if (nowMs < plan.roundAt) return null;
      try {
        const answer = (await json(`/public/${plan.round}`)) as { round?: number; randomness?: string } | null;
        if (answer?.round === plan.round && typeof answer.randomness === 'string' && /^[0-9a-f]{64}$/.test(answer.randomness)) {
          return { ...plan, randomness: answer.randomness };
        }
      } catch {
        // not emitted yet or unreachable: retried next tick until the timeout
      }
      if (nowMs > plan.roundAt + o.timeoutS * 1000) return { kind: 'fallback', reason: `beacon round ${plan.round} not had within ${o.timeoutS} s`, randomness: newShuffleSeed() };
      return null;
    },
  };
}

/** No beacon configured (development): the edge's own randomness, recorded as such. */
export const noBeacon: DrawBeacon = {
  plan: async () => ({ kind: 'none', reason: 'no beacon configured (DRAW_BEACON_URL=none)' }),
  value: async (plan) => ({ kind: 'none', reason: plan.kind === 'none' ? plan.reason : 'no beacon', randomness: newShuffleSeed() }),
};
