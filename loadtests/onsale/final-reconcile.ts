/**
 * The end of a run is minutes, not the hour the reconciler allows a payment to sit between steps
 * (an abandoned checkout is looked at after an hour, a stuck commit after CLAIM_TIMEOUT_S). Before
 * the verdict, the harness runs the product's own reconciler once with no waiting time, as an
 * operator would, so "paid but neither ordered nor voided" means lost for good rather than not
 * yet reconciled. Both counts are reported.
 */
import { loadConfig } from '../../common/config.js';
import { createAppContext } from '../../common/app-context.js';
import { createLogger } from '../../common/logger.js';
import { createCheckoutServices } from '../../checkout/checkout-services.js';
import { reconcile } from '../../checkout/worker/commit/reconciler.js';

export async function reconcileNow(env: Record<string, string>): Promise<{ recommitted: number; abandoned: number }> {
  const ctx = createAppContext(loadConfig(env), createLogger('warn'));
  try {
    const deps = await createCheckoutServices(ctx);
    try {
      const r = await reconcile(deps, ctx.log, { staleAfterMs: 1, abandonAfterMs: 1 });
      return { recommitted: r.recommitted.length, abandoned: r.abandoned.length };
    } finally {
      await deps.close();
    }
  } finally {
    await ctx.close();
  }
}
