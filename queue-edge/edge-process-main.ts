/**
 * Entry point and composition root of one forked edge process (see edge-processes.ts): its own
 * connections and inventory reader, the edge server, drain on SIGTERM; tells the supervisor `ready` once it listens.
 */
import { loadConfigOrExit } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { createAppContext } from '../common/app-context.js';
import { joinMetricsGroup } from '../common/process-group-metrics.js';
import { Shutdown } from '../common/shutdown.js';
import { startTracing, stopTracing } from '../common/tracing.js';
import { createSeatInventory } from '../inventory/index.js';
import { startEdgeRole } from './edge-role.js';

const config = loadConfigOrExit();
await startTracing(config, 'edge');
const log = createLogger(config.logLevel, { roles: 'edge', edgeProcess: process.env.USHER_EDGE_CHILD });
const ctx = createAppContext(config, log);
const shutdown = new Shutdown(log, config.shutdownGraceMs).listen();
try {
  const role = await startEdgeRole(ctx, createSeatInventory({ redis: ctx.redis, pg: ctx.pg, log: ctx.log }));
  shutdown.add('stop edge', () => role.stop()).add('close connections', () => ctx.close()).add('flush traces', () => stopTracing());
  // one of EDGE_PROCESSES: the supervisor's EDGE_METRICS_PORT sums this process with the others
  joinMetricsGroup();
  process.send?.('ready');
  // The supervisor is gone (killed, crashed): drain and exit rather than run on unsupervised.
  process.once('disconnect', () => void shutdown.run('supervisor gone').then((code) => process.exit(code)));
} catch (err) {
  log.fatal({ err }, 'edge process start-up failed');
  await ctx.close();
  process.exit(1);
}
