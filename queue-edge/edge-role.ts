/**
 * The edge role as `scripts/start.ts` runs it. EDGE_PROCESSES=1: the edge server runs in this
 * process, its metrics on EDGE_METRICS_PORT. More: this process supervises that many edge
 * processes on one port and answers the scrapes for all of them (edge-processes.ts).
 */
import type { AppContext } from '../common/app-context.js';
import { startMetricsServer } from '../common/metrics-server.js';
import type { RunningRole } from '../common/role.js';
import { startEdgeServer } from './edge-server.js';
import { startEdgeProcesses, EDGE_CHILD_ENV, edgeUrls } from './edge-processes.js';
import type { SeatStatusSource } from './admission-tick.js';
import type { SeatInventory } from '../inventory/inventory-api.js';
import { tickPhaseFromEnv } from './tick-phase.js';

/** Seats remain? The inventory's availability status (its own short cache; the tick asks once per tick). */
function seatStatusOf(inventory: Pick<SeatInventory, 'availability'>): SeatStatusSource {
  return async (saleId) => (await inventory.availability(saleId)).status;
}

/** `inventory`: the process's one inventory (scripts/start.ts builds it), read for seat status. */
export async function startEdgeRole(ctx: AppContext, inventory: Pick<SeatInventory, 'availability'>): Promise<RunningRole> {
  const forked = process.env[EDGE_CHILD_ENV] !== undefined;
  if (ctx.config.edge.processes > 1 && !forked) return startEdgeProcesses(ctx);
  // a forked edge process is scraped through its supervisor, which owns EDGE_METRICS_PORT
  const metrics = forked ? undefined : await startMetricsServer({ host: ctx.config.http.host, port: ctx.config.http.edgeMetricsPort });
  const server = await startEdgeServer({
    config: ctx.config,
    log: ctx.log,
    redis: ctx.redis,
    pg: ctx.pg,
    readiness: () => ctx.readiness(),
    seatStatus: seatStatusOf(inventory),
    // a supervisor's process ticks in its own slot of the period, not in step with the others
    tickPhaseMs: forked ? tickPhaseFromEnv() : undefined,
  });
  return {
    name: 'edge',
    urls: { ...edgeUrls(ctx), ...(metrics ? { 'edge metrics': metrics.url } : {}) },
    async stop() {
      await server.stop();
      await metrics?.close();
    },
  };
}
