/**
 * When each edge process ticks. The processes of one supervisor start together, so ticks started
 * at start-up (setInterval) fire within a few ms of each other, for ever: every process then sends
 * its position broadcast in the same instant, and the machine's cores take all of them at once (at
 * 100k fans on 6 processes, 100,000 messages per tick in one burst instead of six bursts a sixth
 * of a period apart). The supervisor gives process i of n the phase base + i × period / n (base
 * random, so that the supervisors of several pods do not line up either), and a process with a
 * phase ticks on its wall-clock slots (`now ≡ phase mod period`), rescheduled from the clock each
 * time so the spread does not drift away. A process without a phase (EDGE_PROCESSES=1, tests)
 * ticks as before.
 */
export const EDGE_TICK_PHASE_ENV = 'USHER_EDGE_TICK_PHASE_MS';

/** Process `index` of `count`'s phase in [0, periodMs): evenly spread from `baseMs`. */
export function tickPhaseMs(index: number, count: number, periodMs: number, baseMs: number): number {
  const phase = (baseMs + (index * periodMs) / count) % periodMs;
  return Math.floor(phase < 0 ? phase + periodMs : phase);
}

/**
 * Ms from `now` to the next slot of `phaseMs`: in [periodMs / 4, periodMs × 1.25). A timer that
 * fired a little early or late does not tick twice in a row: a slot closer than a quarter period
 * is skipped for the one after.
 */
export function nextTickDelayMs(now: number, periodMs: number, phaseMs: number): number {
  const since = (((now - phaseMs) % periodMs) + periodMs) % periodMs;
  const delay = periodMs - since;
  return delay < periodMs / 4 ? delay + periodMs : delay;
}

/** This process's phase from its supervisor (EDGE_TICK_PHASE_ENV), or undefined. */
export function tickPhaseFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[EDGE_TICK_PHASE_ENV];
  if (raw === undefined || raw === '') return undefined;
  const phase = Number(raw);
  return Number.isFinite(phase) && phase >= 0 ? phase : undefined;
}

/** Calls `run` on every slot of `phaseMs` until the returned function is called. */
export function everyTickSlot(periodMs: number, phaseMs: number, run: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    timer = setTimeout(() => {
      if (stopped) return;
      schedule();
      run();
    }, nextTickDelayMs(Date.now(), periodMs, phaseMs));
  };
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
