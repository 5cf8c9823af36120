/** The accounts routes, on the process's services. */
import type { CheckoutServices } from '../checkout-services.js';
import { redisKeys } from '../../common/redis-keys.js';
import { fixedWindowCounter } from '../../common/fixed-window-counter.js';
import { createAccountsRouter, session } from './accounts-routes.js';
import { addAccountSelfRoutes, DEFAULT_RESET_LIMITS, type ResetLimits } from './account-self-routes.js';
import { clientIp } from '../api/client-ip.js';
import { createLoginRateLimiter, DEFAULT_LOGIN_LIMITS, type LoginLimits } from './login-rate-limit.js';
import { createVerificationMailLimiter, DEFAULT_VERIFICATION_MAIL_LIMITS, type VerificationMailLimits } from './verification-mail-limit.js';
import { addOidcRoutes } from './oidc-routes.js';

export interface AccountsOptions {
  verificationMailLimits?: VerificationMailLimits;
  loginLimits?: LoginLimits;
  resetLimits?: ResetLimits;
}

export async function accountsRoutes(s: CheckoutServices, options: AccountsOptions = {}) {
  const { ctx } = s;
  const deps = {
    accessTokens: s.accessTokens,
    denylist: s.denylist,
    accountRoles: s.accountRoles,
    pg: ctx.pg,
    log: ctx.log.child({ module: 'accounts' }),
    limiter: createLoginRateLimiter(ctx.redis, options.loginLimits ?? DEFAULT_LOGIN_LIMITS),
    clientAddress: (c: Parameters<typeof clientIp>[0]) => clientIp(c, ctx.config.http.trustProxy),
    verificationTokens: s.emailVerificationTokens,
    verificationMail: s.verificationMail,
    verificationLimiter: createVerificationMailLimiter(ctx.redis, options.verificationMailLimits ?? DEFAULT_VERIFICATION_MAIL_LIMITS),
  };
  const router = createAccountsRouter(deps);
  addAccountSelfRoutes(router, {
    ...deps,
    accountMail: s.accountMail,
    changeMailLimiter: createVerificationMailLimiter(ctx.redis, options.verificationMailLimits ?? DEFAULT_VERIFICATION_MAIL_LIMITS, redisKeys.emailChangeMailRoot),
    emailChangeTokens: s.emailChangeTokens,
    countHit: fixedWindowCounter(ctx.redis),
    resetLimits: options.resetLimits ?? DEFAULT_RESET_LIMITS,
    newSession: (user, verified) => session(ctx.pg, s.accessTokens, user, verified),
  });
  await addOidcRoutes(router, { ...deps, redis: ctx.redis, oidc: ctx.config.oidc, publicApiUrl: ctx.config.http.publicApiUrl, newSession: (user, verified) => session(ctx.pg, s.accessTokens, user, verified) });
  return router;
}
