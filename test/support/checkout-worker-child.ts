/**
 * The commit worker as its own process, for fault tests: the real worker code with the test's
 * environment. With USHER_TEST_KILL_AT_FINALIZE=1 it SIGKILLs itself when it reaches `finalize`,
 * i.e. after the Postgres commit and the capture: the crash the fault test needs, at that exact
 * point. USHER_TEST_LOCK_MS shortens BullMQ's job lock so the stalled job is picked up quickly.
 */
import { createAppContext } from '../../common/app-context.js';
import { loadConfig } from '../../common/config.js';
import { createLogger } from '../../common/logger.js';
import { createCheckoutServices } from '../../checkout/checkout-services.js';
import { startCommitWorker } from '../../checkout/worker/commit/commit-worker.js';

const config = loadConfig();
// as `start worker` runs it: the shared client auto-pipelined (scripts/start.ts)
const ctx = createAppContext(config, createLogger('warn', { child: 'commit-worker' }), { autoPipelining: true });
const deps = await createCheckoutServices(ctx);
if (process.env.USHER_TEST_KILL_AT_FINALIZE === '1') {
  const die = async (): Promise<never> => {
    process.kill(process.pid, 'SIGKILL');
    return new Promise<never>(() => undefined);
  };
  // a batch finalizes through finalizeMany; finalize is the fallback after a rebuild
  deps.inventory.finalize = die;
  deps.inventory.finalizeMany = die;
}
const lockMs = Number(process.env.USHER_TEST_LOCK_MS ?? 0);
const worker = startCommitWorker(deps, lockMs > 0 ? { workerOptions: { lockDuration: lockMs, stalledInterval: Math.max(500, lockMs / 2) } } : {});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => ctx.close()).then(() => process.exit(0));
});
