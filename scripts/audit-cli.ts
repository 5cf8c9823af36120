/**
 * `npm run audit -- <saleId>`: checks a sale's inventory in Redis against Postgres (conservation,
 * seat states, sold = live tickets), prints the result, exits 1 on any violation (2 on bad usage).
 */
import { loadConfigOrExit } from '../common/config.js';
import { connectRedis } from '../common/redis-connection.js';
import { createPgPool } from '../common/postgres-pool.js';
import { createSeatInventory } from '../inventory/index.js';

const saleId = process.argv[2];
if (!saleId) {
  process.stderr.write('usage: npm run audit -- <saleId>\n');
  process.exit(2);
}
const config = loadConfigOrExit();
const redis = connectRedis(config, { connectionName: 'usher-audit' });
const pg = createPgPool(config);
let code: number;
try {
  const report = await createSeatInventory({ redis, pg }).audit(saleId);
  const t = report.totals;
  process.stdout.write(`sale ${report.saleId}: capacity ${t.capacity} = free ${t.free} + held ${t.held} + claimed ${t.claimed} + sold ${t.sold}; live tickets ${t.liveTickets}\n`);
  for (const v of report.violations) process.stdout.write(`VIOLATION ${v}\n`);
  process.stdout.write(report.ok ? 'audit OK\n' : `audit FAILED: ${report.violations.length} violation(s)\n`);
  code = report.ok ? 0 : 1;
} catch (err) {
  process.stderr.write(`audit could not run: ${(err as Error).message}\n`);
  code = 1;
} finally {
  redis.disconnect();
  await pg.end();
}
process.exit(code);
