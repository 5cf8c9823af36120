import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { clientAddress } from '../../common/client-address.js';

/** The client address of a Hono request, as common/client-address.ts decides it for every role. */
export function clientIp(c: Context, trustProxy: boolean): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    // app.request() in tests has no socket
  }
  return clientAddress(c.req.header('x-forwarded-for'), peer, trustProxy);
}
