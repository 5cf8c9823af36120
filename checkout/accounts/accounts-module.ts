/** Mounts the accounts routes with the process's connections. */
import type { Hono } from 'hono';
import type { AppContext } from '../../common/app-context.js';
import { createVerificationMailQueue } from '../worker/notifications/verification-mail.js';
import { createAccountsRouter } from './accounts-routes.js';
import { authDeps } from './auth-deps.js';
import { clientAddress } from './client-address.js';
import { loadEmailVerificationTokens } from './email-verification-token.js';
import { createLoginRateLimiter } from './login-rate-limit.js';
import { createVerificationMailLimiter, DEFAULT_VERIFICATION_MAIL_LIMITS, type VerificationMailLimits } from './verification-mail-limit.js';

export async function mountAccounts(app: Hono, ctx: AppContext, options: { verificationMailLimits?: VerificationMailLimits } = {}): Promise<void> {
  const auth = await authDeps(ctx);
  app.route('/', createAccountsRouter({
    ...auth,
    pg: ctx.pg,
    log: ctx.log.child({ module: 'accounts' }),
    limiter: createLoginRateLimiter(ctx.redis),
    clientAddress: (c) => clientAddress(c, ctx.config.http.trustProxy),
    bodyLimitBytes: ctx.config.http.bodyLimitBytes,
    verificationTokens: await loadEmailVerificationTokens(ctx),
    // the notification worker's queue, on the shared connection (nothing of its own to close)
    verificationMail: createVerificationMailQueue(ctx.redis, ctx.config.worker.bullmqPrefix),
    verificationLimiter: createVerificationMailLimiter(ctx.redis, options.verificationMailLimits ?? DEFAULT_VERIFICATION_MAIL_LIMITS),
  }));
}
