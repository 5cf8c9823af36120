import type { AppContext } from '../common/app-context.js';
import type { RunningRole } from '../common/role.js';
import { loadNativeUws } from '../common/uws-native.js';
import { metricsText } from '../common/metrics.js';

export async function startEdgeRole(ctx: AppContext): Promise<RunningRole> {
  const uws = loadNativeUws();
  const log = ctx.log.child({ role: 'edge' });
  const app = uws.App();
  app.get('/livez', (res) => {
    res.writeHeader('content-type', 'application/json').end('{"ok":true}');
  });
  app.get('/readyz', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void ctx.readiness().then((r) => {
      if (aborted) return;
      res.cork(() => res.writeStatus(r.ok ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'application/json').end(JSON.stringify(r)));
    });
  });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void metricsText().then((m) => {
      if (aborted) return;
      res.cork(() => res.writeHeader('content-type', m.contentType).end(m.body));
    });
  });
  const { host, edgePort } = ctx.config.http;
  const listenSocket = await new Promise<unknown>((resolve, reject) => {
    app.listen(host, edgePort, (token) => (token ? resolve(token) : reject(new Error(`edge could not listen on ${host}:${edgePort}`))));
  });
  log.info({ port: edgePort }, 'edge listening');
  return {
    name: 'edge',
    urls: { edge: ctx.config.http.publicEdgeUrl },
    async stop() {
      uws.us_listen_socket_close(listenSocket as never);
    },
  };
}
