/** Mounts the accounts routes with the process's connections. */
import type { Hono } from 'hono';
import type { AppContext } from '../../common/app-context.js';
import { createAccountsRouter } from './accounts-routes.js';
import { authDeps } from './auth-deps.js';
import { clientAddress } from './client-address.js';
import { createLoginRateLimiter } from './login-rate-limit.js';

export async function mountAccounts(app: Hono, ctx: AppContext): Promise<void> {
  const auth = await authDeps(ctx);
  app.route('/', createAccountsRouter({
    ...auth,
    pg: ctx.pg,
    limiter: createLoginRateLimiter(ctx.redis),
    clientAddress: (c) => clientAddress(c, ctx.config.http.trustProxy),
    bodyLimitBytes: ctx.config.http.bodyLimitBytes,
  }));
}
