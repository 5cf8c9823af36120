/** Demo step: an organiser account with a fresh password, printed once, and the dashboard link. */
import { createAdmin, generatePassword } from '../checkout/accounts/admin-bootstrap.js';
import type { DemoHookContext } from './demo-hooks.js';

export const DEMO_ADMIN_EMAIL = 'admin@usher.local';

export async function createDemoAdmin(ctx: DemoHookContext): Promise<void> {
  const password = generatePassword();
  await createAdmin(ctx.pool, DEMO_ADMIN_EMAIL, password);
  const { publicApiUrl } = ctx.config.http;
  ctx.say(`organiser login: ${DEMO_ADMIN_EMAIL} / ${password}  (new each demo run) at ${publicApiUrl}/admin/login`);
}
