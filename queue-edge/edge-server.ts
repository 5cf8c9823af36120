/**
 * One edge process's server: uWS app with the fan socket, the HTTP API, the page and probes; the
 * admission tick; the sale channel listener. `stop()` drains: stop accepting, tell every fan to
 * reconnect (their place is kept for the grace), close the sockets, finish the Redis writes.
 */
import { traceRedis } from '../common/traced-clients.js';
import { createAccessDenylist } from '../access/access-denylist.js';
import { accountRoles } from '../access/account-roles.js';
import { hostname } from 'node:os';
import type { us_listen_socket } from 'uWebSockets.js';
import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { RedisClient } from '../common/redis-connection.js';
import type { PgPool } from '../common/postgres-pool.js';
import { loadNativeUws } from './uws-native.js';
import { loadPassSigningKeys } from '../admission/pass-keyring.js';
import { loadAccessTokens } from '../access/access-token.js';
import { Problem } from '../common/problem.js';
import { queueStore, bucketCapacityS } from './queue-store.js';
import { loadVisitorTokens } from './visitor-token.js';
import { saleRegistry } from './sale-registry.js';
import { salePages } from './sale-pages.js';
import { FanRegistry } from './fan-registry.js';
import { abuseLimits } from './abuse-limits.js';
import { presaleCredentials } from './presale-credential.js';
import { drandBeacon, noBeacon, type DrawBeacon } from './draw-beacon.js';
import { startAdmissionTicks, type SeatStatusSource } from './admission-tick.js';
import { saleEvents } from './edge-events.js';
import { fanSocketDoc, mountFanSocket } from './fan-socket.js';
import { edgeHttpDocs, mountEdgeHttp } from './edge-http.js';
import { mountStatic, staticDocs } from './static-files.js';
import { edgeProbeDocs, mountEdgeProbes } from './edge-probes.js';
import { mountEdgeOpenApi, recordRoutes, type EdgeRouteDoc, type MountedRoute } from './edge-openapi.js';
import { replyTo } from './http-reply.js';
import { encode } from './edge-protocol.js';
import type { EdgeCore } from './edge-core.js';

export interface EdgeServerOptions {
  config: Config;
  log: Logger;
  redis: RedisClient;
  pg?: PgPool;
  /** How long an account's role is trusted before PostgreSQL is asked again (tests shorten it). */
  accountRoleTtlMs?: number;
  /** Inventory status per sale, read once per tick; default: always on sale. */
  seatStatus?: SeatStatusSource;
  readiness?: () => Promise<{ ok: boolean }>;
  /** Listen here instead of EDGE_PORT (0: any free port, for tests). */
  port?: number;
  edgeId?: string;
  /** The opening draw's beacon; default from DRAW_BEACON_URL. */
  beacon?: DrawBeacon;
  /** Tick on the slots of this phase (one of a supervisor's processes: tick-phase.ts); default every tick from start-up. */
  tickPhaseMs?: number;
}

/** Every route the edge serves, documented: what `/openapi.json` lists. */
export const edgeRouteDocs: readonly EdgeRouteDoc[] = [fanSocketDoc, ...edgeHttpDocs, ...staticDocs, ...edgeProbeDocs];

export interface EdgeServer {
  port: number;
  core: EdgeCore;
  /** What was mounted on the uWS app, as mounted (the OpenAPI test compares it with the document). */
  routes: readonly MountedRoute[];
  /** Drain and close, bounded by `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const RECONNECT_AFTER_MS = 500;

export async function startEdgeServer(o: EdgeServerOptions): Promise<EdgeServer> {
  const uws = loadNativeUws();
  const { app, routes } = recordRoutes(uws.App());
  const { config, redis } = o;
  const log = o.log.child({ role: 'edge' });
  traceRedis(redis); // tracing on: the queue's commands as spans under a fan's join or take
  const store = queueStore(redis, { offerTtlMs: config.edge.offerTtlS * 1000, burstS: bucketCapacityS(config.edge.tickMs) });
  let draining = false;
  const core: EdgeCore = {
    config, log, redis, store,
    visitors: await loadVisitorTokens(config, redis, log),
    passes: await loadPassSigningKeys(config, redis, log),
    accessTokens: await loadAccessTokens(config, redis, log),
    denylist: createAccessDenylist(redis),
    roles: o.pg ? accountRoles(o.pg, { ttlMs: o.accountRoleTtlMs }) : undefined,
    pg: o.pg,
    sales: saleRegistry(redis, o.pg),
    pages: salePages(redis, o.pg),
    fans: new FanRegistry((room) => events.watch(room)),
    limits: abuseLimits(store, { connect: config.edge.connectsPerIpPerMin, join: config.edge.joinsPerIpPerMin, visitor: config.edge.joinsPerIpPerMin }),
    presale: presaleCredentials(redis),
    beacon: o.beacon ?? (config.edge.drawBeacon.url ? drandBeacon({ ...config.edge.drawBeacon, url: config.edge.drawBeacon.url }) : noBeacon),
    edgeId: o.edgeId ?? `${hostname()}-${process.pid}`,
    pending: new Set(),
    tickNow: (saleId) => ticker.tickNow(saleId),
  };
  const events = saleEvents(core, (saleId) => core.tickNow(saleId));
  const ticker = startAdmissionTicks(core, (topic, text) => app.publish(topic, text), o.seatStatus ?? (async () => 'on_sale'), o.tickPhaseMs);

  const stopJoinSweep = mountFanSocket(app, core, () => draining);
  mountEdgeHttp(app, core);
  mountStatic(app);
  mountEdgeProbes(app, log, o.readiness ?? (async () => ({ ok: true })), () => draining);
  mountEdgeOpenApi(app, edgeRouteDocs, config.http.publicEdgeUrl);
  app.any('/*', (res) => replyTo(res).problem(new Problem(404, 'not_found', 'no such route on the edge')));

  const host = config.http.host;
  const wanted = o.port ?? config.http.edgePort;
  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(host, wanted, (token) => (token ? resolve(token) : reject(new Error(`edge could not listen on ${host}:${wanted}`))));
  });
  const port = uws.us_socket_local_port(listenSocket as never);
  log.info({ port, edgeId: core.edgeId }, 'edge listening');

  return {
    port,
    core,
    routes,
    async stop(graceMs = config.shutdownGraceMs) {
      if (draining) return;
      draining = true;
      uws.us_listen_socket_close(listenSocket);
      ticker.stop();
      stopJoinSweep();
      const deadline = Date.now() + graceMs * 0.6;
      // One message per sale topic; well-behaved pages close and reconnect (elsewhere) at once.
      const reconnect = encode({ v: 1, type: 'reconnect', retryAfterMs: RECONNECT_AFTER_MS });
      for (const room of core.fans.rooms.values()) app.publish(room.topic, reconnect);
      const waitUntil = Math.min(deadline, Date.now() + 1500);
      while (core.fans.open > 0 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
      for (const ws of [...core.fans.sockets()]) if (!ws.getUserData().closed) ws.end(1012, 'edge restarting: reconnect');
      await Promise.race([Promise.allSettled([...core.pending]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      await events.close();
      core.passes.close();
      log.info({ edgeId: core.edgeId }, 'edge drained');
    },
  };
}
