/**
 * The API's idle keep-alive connections last as configured (API_KEEP_ALIVE_TIMEOUT_S): with Node's
 * 5 s default, a client or balancer that reused a socket just as the API closed it got ECONNRESET.
 */
import { connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { keepIdleConnectionsFor } from './api-role.js';
import { loadConfig } from '../../common/config.js';

let server: ServerType | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

function listen(): Promise<number> {
  const app = new Hono().get('/', (c) => c.text('ok'));
  return new Promise((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
}

/** One request on this raw socket (a client that keeps its connection as long as the server does); resolves with the response. */
async function get(socket: Socket): Promise<string> {
  socket.write('GET / HTTP/1.1\r\nHost: api\r\n\r\n');
  let text = '';
  while (!text.endsWith('\r\n\r\nok')) text += ((await once(socket, 'data')) as [Buffer])[0].toString();
  return text;
}

describe('API keep-alive', () => {
  it('defaults to 65 s, past the 60 s idle timeout of common load balancers', () => {
    expect(loadConfig({}).http.apiKeepAliveTimeoutS).toBe(65);
  });

  it('closes an idle connection after the configured time, not before', async () => {
    const port = await listen();
    keepIdleConnectionsFor(server!, 1);
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    expect(await get(socket)).toMatch(/^HTTP\/1\.1 200/);
    const closed = once(socket, 'end').then(() => Date.now());
    // still open half-way through: a second request goes over it
    await new Promise((r) => setTimeout(r, 500));
    expect(await get(socket)).toMatch(/^HTTP\/1\.1 200/);
    const idleFrom = Date.now();
    const idle = (await closed) - idleFrom;
    // at least the setting; well short of Node's own 5 s, so the setting is what closed it
    expect(idle).toBeGreaterThanOrEqual(950);
    expect(idle).toBeLessThan(4500);
    socket.destroy();
  });
});
