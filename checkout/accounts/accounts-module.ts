/** The accounts routes, on the process's services. */
import type { CheckoutServices } from '../checkout-services.js';
import { createAccountsRouter } from './accounts-routes.js';
import { clientIp } from '../api/client-ip.js';
import { createLoginRateLimiter, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-rate-limit.js';
import { createVerificationMailLimiter, DEFAULT_VERIFICATION_MAIL_LIMITS, type VerificationMailLimits } from './verification-mail-limit.js';

export function accountsRoutes(s: CheckoutServices, options: { verificationMailLimits?: VerificationMailLimits; loginLimits?: LoginLimits } = {}) {
  const { ctx } = s;
  return createAccountsRouter({
    accessTokens: s.accessTokens,
    denylist: s.denylist,
    accountRoles: s.accountRoles,
    pg: ctx.pg,
    log: ctx.log.child({ module: 'accounts' }),
    limiter: createLoginRateLimiter(ctx.redis, options.loginLimits ?? DEFAULT_LOGIN_LIMITS),
    clientAddress: (c) => clientIp(c, ctx.config.http.trustProxy),
    verificationTokens: s.emailVerificationTokens,
    verificationMail: s.verificationMail,
    verificationLimiter: createVerificationMailLimiter(ctx.redis, options.verificationMailLimits ?? DEFAULT_VERIFICATION_MAIL_LIMITS),
  });
}
