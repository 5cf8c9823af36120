/**
 * `npm run inventory:rebuild -- <saleId>`: recreates a sale's seat pools in Redis from Postgres
 * (all places minus live tickets; committed orders become SOLD holds again) after a Redis loss.
 * Close the sale first (admin) so no hold races the rebuild; holds lost this way are resolved when
 * their payment is claimed (reacquired if the seats are free, else the payment is voided).
 */
import { loadConfigOrExit } from '../common/config.js';
import { connectRedis } from '../common/redis-connection.js';
import { createPgPool } from '../common/postgres-pool.js';
import { createSeatInventory } from '../inventory/index.js';

const saleId = process.argv[2];
if (!saleId) {
  process.stderr.write('usage: npm run inventory:rebuild -- <saleId>\n');
  process.exit(2);
}
const config = loadConfigOrExit();
const redis = connectRedis(config, { connectionName: 'usher-rebuild' });
const pg = createPgPool(config);
let code: number;
try {
  const inventory = createSeatInventory({ redis, pg });
  const r = await inventory.rebuild(saleId);
  process.stdout.write(`rebuilt sale ${saleId}: ${r.shards} shards, capacity ${r.capacity}, ${r.sold} sold places, ${r.holdsRestored} sold holds restored\n`);
  const audit = await inventory.audit(saleId);
  process.stdout.write(audit.ok ? 'audit OK\n' : `audit FAILED:\n${audit.violations.join('\n')}\n`);
  code = audit.ok ? 0 : 1;
} catch (err) {
  process.stderr.write(`rebuild failed: ${(err as Error).message}\n`);
  code = 1;
} finally {
  redis.disconnect();
  await pg.end();
}
process.exit(code);
