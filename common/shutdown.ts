import type { Logger } from './logger.js';

type Step = { name: string; run: () => Promise<void> | void };

/**
 * Graceful shutdown on SIGTERM/SIGINT: runs the registered steps in order (stop accepting, drain,
 * close connections), each bounded by what is left of `graceMs`, then exits. A second signal
 * exits at once.
 */
export class Shutdown {
  private readonly steps: Step[] = [];
  private started = false;

  constructor(private readonly log: Logger, private readonly graceMs: number) {}

  add(name: string, run: Step['run']): this {
    this.steps.push({ name, run });
    return this;
  }

  get stopping(): boolean {
    return this.started;
  }

  listen(): this {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.started) {
        this.log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      void this.run(signal).then((code) => process.exit(code));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    return this;
  }

  /** Runs every step; resolves with the exit code (0 when all finished inside the grace period). */
  async run(reason: string): Promise<number> {
    this.started = true;
    const deadline = Date.now() + this.graceMs;
    this.log.info({ reason, graceMs: this.graceMs }, 'shutting down');
    let code = 0;
    for (const step of this.steps) {
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.run),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${Math.max(left, 0)} ms`)), Math.max(left, 0));
          }),
        ]);
      } catch (err) {
        code = 1;
        this.log.error({ step: step.name, err }, 'shutdown step failed');
      } finally {
        clearTimeout(timer);
      }
    }
    this.log.info({ code }, 'shut down');
    return code;
  }
}
