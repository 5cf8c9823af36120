/** The access-token signer/verifier and revocation list of one process context, built once. */
import type { AppContext } from '../../common/app-context.js';
import { loadAccessTokens } from '../../access/access-token.js';
import { createAccessDenylist } from '../../access/access-denylist.js';
import type { AuthDeps } from './auth-middleware.js';

const built = new WeakMap<AppContext, Promise<AuthDeps>>();

export function authDeps(ctx: AppContext): Promise<AuthDeps> {
  let deps = built.get(ctx);
  if (!deps) {
    deps = loadAccessTokens(ctx.config, ctx.redis, ctx.log).then((tokens) => ({ tokens, denylist: createAccessDenylist(ctx.redis) }));
    built.set(ctx, deps);
  }
  return deps;
}
