/**
 * The edge role as `scripts/start.ts` runs it. EDGE_PROCESSES=1: the edge server runs in this
 * process. More: this process supervises that many edge processes on one port (edge-processes.ts).
 */
import type { AppContext } from '../common/app-context.js';
import type { RunningRole } from '../common/role.js';
import { startEdgeServer } from './edge-server.js';
import { startEdgeProcesses, EDGE_CHILD_ENV } from './edge-processes.js';
import type { SeatStatusSource } from './admission-tick.js';
import type { SeatInventory } from '../inventory/inventory-api.js';

/** Seats remain? The inventory's availability status (its own short cache; the tick asks once per tick). */
function seatStatusOf(inventory: Pick<SeatInventory, 'availability'>): SeatStatusSource {
  return async (saleId) => (await inventory.availability(saleId)).status;
}

/** `inventory`: the process's one inventory (scripts/start.ts builds it), read for seat status. */
export async function startEdgeRole(ctx: AppContext, inventory: Pick<SeatInventory, 'availability'>): Promise<RunningRole> {
  if (ctx.config.edge.processes > 1 && process.env[EDGE_CHILD_ENV] === undefined) return startEdgeProcesses(ctx);
  const server = await startEdgeServer({
    config: ctx.config,
    log: ctx.log,
    redis: ctx.redis,
    pg: ctx.pg,
    readiness: () => ctx.readiness(),
    seatStatus: seatStatusOf(inventory),
  });
  return {
    name: 'edge',
    urls: { edge: ctx.config.http.publicEdgeUrl, 'waiting room': `${ctx.config.http.publicEdgeUrl}/sales/<sale id>` },
    stop: () => server.stop(),
  };
}
