/**
 * The edge role as `scripts/start.ts` runs it. EDGE_PROCESSES=1: the edge server runs in this
 * process. More: this process supervises that many edge processes on one port (edge-processes.ts).
 */
import type { AppContext } from '../common/app-context.js';
import type { RunningRole } from '../common/role.js';
import { startEdgeServer } from './edge-server.js';
import { startEdgeProcesses, EDGE_CHILD_ENV } from './edge-processes.js';
import type { SeatStatusSource } from './admission-tick.js';

/**
 * Seats remain? The inventory's `availability(saleId).status`, once `inventory/index.ts` provides
 * `createSeatInventory`; until it is wired, every sale counts as on sale.
 */
function seatStatusOf(_ctx: AppContext): SeatStatusSource {
  return async () => 'on_sale';
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
