/**
 * Process entry point and composition root: `node dist/scripts/start.js <edge|api|worker|all>`.
 * Parses the configuration once, opens the shared connections, builds each service once (one
 * inventory for every role of the process, one set of checkout services for API and worker),
 * starts the role(s), and drains them on SIGTERM/SIGINT within SHUTDOWN_GRACE_MS.
 */
import { loadConfigOrExit } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createAppContext, type AppContext } from '../common/app-context.js';
import { Shutdown } from '../common/shutdown.js';
import { startTracing, stopTracing } from '../common/tracing.js';
import type { RunningRole } from '../common/role.js';
import { createSeatInventory } from '../inventory/index.js';
import type { SeatInventory } from '../inventory/inventory-api.js';
import { startEdgeRole } from '../queue-edge/edge-role.js';
import { createCheckoutServices, type CheckoutServices } from '../checkout/checkout-services.js';
import { startApiRole } from '../checkout/api/api-role.js';
import { startApiProcesses } from '../checkout/api/api-processes.js';
import { startWorkerRole } from '../checkout/worker/worker-role.js';

/** What the roles of one process share, each built on first use and only once. */
export interface ProcessServices {
  ctx: AppContext;
  inventory(): SeatInventory;
  checkout(): Promise<CheckoutServices>;
  close(): Promise<void>;
}

export function composeProcess(ctx: AppContext): ProcessServices {
  const { config } = ctx;
  let inventory: SeatInventory | undefined;
  let checkout: Promise<CheckoutServices> | undefined;
  const services: ProcessServices = {
    ctx,
    inventory: () => (inventory ??= createSeatInventory({ redis: ctx.redis, pg: ctx.pg, log: ctx.log, claimTimeoutS: config.worker.claimTimeoutS, sweepBatch: config.worker.sweepBatch })),
    checkout: () => (checkout ??= createCheckoutServices(ctx, { inventory: services.inventory() })),
    async close() {
      if (checkout) await (await checkout).close();
      await ctx.close();
    },
  };
  return services;
}

export const roles: Record<string, (p: ProcessServices) => Promise<RunningRole>> = {
  edge: (p) => startEdgeRole(p.ctx, p.inventory()),
  // API_PROCESSES > 1: this process only supervises; each forked API process composes its own
  api: async (p) => (p.ctx.config.http.apiProcesses > 1 ? startApiProcesses(p.ctx, p.ctx.config.http.apiProcesses) : startApiRole(await p.checkout())),
  worker: async (p) => startWorkerRole(await p.checkout()),
};

export async function main(argv: string[]): Promise<void> {
  const name = argv[0] ?? 'all';
  const selected = name === 'all' ? Object.keys(roles) : [name];
  const unknown = selected.filter((r) => !(r in roles));
  if (unknown.length > 0) {
    process.stderr.write(`usage: start <${[...Object.keys(roles), 'all'].join('|')}> (unknown role: ${unknown.join(', ')})\n`);
    process.exit(64);
  }
  const config = loadConfigOrExit();
  // before any connection: the clients are wrapped for tracing when they are made (off: nothing loaded)
  await startTracing(config, name);
  const log = createLogger(config.logLevel, { roles: selected.join(',') });
  // an API process makes a few Redis round trips per request, a worker a few per hold of each
  // commit batch (claim, finalize, gateway, lease, jobs): the commands of one loop turn share a write
  const services = composeProcess(createAppContext(config, log, { autoPipelining: name === 'api' || name === 'worker' }));
  const shutdown = new Shutdown(log, config.shutdownGraceMs).listen();
  const running: RunningRole[] = [];
  try {
    for (const role of selected) running.push(await roles[role]!(services));
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    await services.close();
    process.exit(1);
  }
  // Stop in reverse order of start: the edge stops accepting fans before the API, workers last.
  for (const r of [...running].reverse()) shutdown.add(`stop ${r.name}`, () => r.stop());
  shutdown.add('close connections', () => services.close());
  shutdown.add('flush traces', () => stopTracing());
  for (const r of running) for (const [what, url] of Object.entries(r.urls)) log.info({ url }, `${what} ready`);
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) void main(process.argv.slice(2));
