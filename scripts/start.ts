/**
 * Process entry point: `node dist/scripts/start.js <edge|api|worker|all>`.
 * Parses the configuration once, opens the shared connections, starts the role(s), and drains
 * them on SIGTERM/SIGINT within SHUTDOWN_GRACE_MS.
 */
import { loadConfigOrExit } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createAppContext } from '../common/app-context.js';
import { Shutdown } from '../common/shutdown.js';
import type { RoleStarter, RunningRole } from '../common/role.js';
import { startEdgeRole } from '../queue-edge/edge-role.js';
import { startApiRole } from '../checkout/api/api-role.js';
import { startWorkerRole } from '../checkout/worker/worker-role.js';

export const roles: Record<string, RoleStarter> = {
  edge: startEdgeRole,
  api: startApiRole,
  worker: startWorkerRole,
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
  const log = createLogger(config.logLevel, { roles: selected.join(',') });
  const ctx = createAppContext(config, log);
  const shutdown = new Shutdown(log, config.shutdownGraceMs).listen();
  const running: RunningRole[] = [];
  try {
    for (const role of selected) running.push(await roles[role]!(ctx));
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    await ctx.close();
    process.exit(1);
  }
  // Stop in reverse order of start: the edge stops accepting fans before the API, workers last.
  for (const r of [...running].reverse()) shutdown.add(`stop ${r.name}`, () => r.stop());
  shutdown.add('close connections', () => ctx.close());
  for (const r of running) for (const [what, url] of Object.entries(r.urls)) log.info({ url }, `${what} ready`);
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) void main(process.argv.slice(2));
