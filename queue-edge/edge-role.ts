/**
 * The edge role as `scripts/start.ts` runs it. EDGE_PROCESSES=1: the edge server runs in this
 * process. More: this process supervises that many edge processes on one port (edge-processes.ts).
 */
import type { AppContext } from '../common/app-context.js';
import type { RunningRole } from '../common/role.js';
import { startEdgeServer } from './edge-server.js';
import { startEdgeProcesses, EDGE_CHILD_ENV } from './edge-processes.js';
import type { SeatStatusSource } from './admission-tick.js';
import { createSeatInventory } from '../inventory/index.js';

/** Seats remain? The inventory's availability status (its own short cache; the tick asks once per tick). */
function seatStatusOf(ctx: AppContext): SeatStatusSource {
  const inventory = createSeatInventory({ redis: ctx.redis, pg: ctx.pg, log: ctx.log });
  return async (saleId) => (await inventory.availability(saleId)).status;
}

export async function startEdgeRole(ctx: AppContext): Promise<RunningRole> {
  if (ctx.config.edge.processes > 1 && process.env[EDGE_CHILD_ENV] === undefined) return startEdgeProcesses(ctx);
  const server = await startEdgeServer({
    config: ctx.config,
    log: ctx.log,
    redis: ctx.redis,
    pg: ctx.pg,
    readiness: () => ctx.readiness(),
    seatStatus: seatStatusOf(ctx),
  });
  return {
    name: 'edge',
    urls: { edge: ctx.config.http.publicEdgeUrl, 'waiting room': `${ctx.config.http.publicEdgeUrl}/sales/<sale id>` },
    stop: () => server.stop(),
  };
}
