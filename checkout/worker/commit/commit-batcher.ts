/**
 * Gathers the holds of concurrent commit jobs into batches (group commit): a job hands its hold
 * over and waits for that hold's own result, so each hold keeps its own BullMQ job (its retries,
 * its lock, its failed entry for the reconciler). A batch leaves when `max` holds wait or `waitMs`
 * after its first one, whichever comes first; batches run side by side (the worker's concurrency
 * bounds how many holds wait at all). OSS BullMQ has no batch processor (that is BullMQ Pro's
 * `batch` option), hence this.
 */
import { histogram } from '../../../common/metrics.js';

const batchSize = histogram('usher_commit_batch_size', 'holds committed together (one Postgres transaction per step)', [], [1, 2, 4, 8, 16, 32, 64]);

export interface BatchOptions {
  max: number;
  waitMs: number;
}

export interface Batcher<T> {
  /** Resolves or rejects with this key's own result; a key already waiting shares its batch. */
  submit(key: string): Promise<T>;
}

interface Waiter<T> {
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function createBatcher<T>(opts: BatchOptions, run: (keys: string[]) => Promise<Map<string, PromiseSettledResult<T>>>): Batcher<T> {
  let pending = new Map<string, Waiter<T>[]>();
  let timer: NodeJS.Timeout | undefined;
  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = new Map();
    batchSize.observe(batch.size);
    run([...batch.keys()]).then(
      (results) => {
        for (const [key, waiters] of batch) {
          const r = results.get(key) ?? { status: 'rejected', reason: new Error(`no commit result for ${key}`) };
          for (const w of waiters) {
            if (r.status === 'fulfilled') w.resolve(r.value);
            else w.reject(r.reason);
          }
        }
      },
      (err: unknown) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      },
    );
  }
  return {
    submit(key) {
      return new Promise<T>((resolve, reject) => {
        const waiters = pending.get(key);
        if (waiters) waiters.push({ resolve, reject });
        else pending.set(key, [{ resolve, reject }]);
        if (pending.size >= opts.max) flush();
        else timer ??= setTimeout(flush, opts.waitMs);
      });
    },
  };
}
