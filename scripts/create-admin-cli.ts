/**
 * `npm run admin:create -- --email you@example.com` creates the first organiser account (or makes
 * an existing account an organiser and sets its password). The password comes from
 * USHER_ADMIN_PASSWORD, or is generated and printed once on stdout; it is never logged.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfigOrExit } from '../common/config.js';
import { createAdmin, generatePassword } from '../checkout/accounts/admin-bootstrap.js';

const { values } = parseArgs({ options: { email: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help || !values.email) {
  process.stderr.write('usage: npm run admin:create -- --email <address>   (password: $USHER_ADMIN_PASSWORD, else generated)\n');
  process.exit(values.help ? 0 : 64);
}
const config = loadConfigOrExit();
const given = process.env.USHER_ADMIN_PASSWORD;
const password = given && given.length > 0 ? given : generatePassword();
const pool = new pg.Pool({ connectionString: config.postgres.url, max: 1 });
try {
  const { created } = await createAdmin(pool, values.email, password);
  process.stdout.write(`${created ? 'created' : 'updated'} organiser ${values.email}\n`);
  if (!given) process.stdout.write(`password (shown once): ${password}\n`);
  process.stdout.write(`log in at ${config.http.publicApiUrl}/admin/login\n`);
} catch (err) {
  process.stderr.write(`usher: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
