/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
import { loadConfigOrExit } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { migrate } from '../common/db/migrate.js';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel, { task: 'migrate' });
try {
  const applied = await migrate(config.postgres.url, { onApply: (name) => log.info({ migration: name }, 'applied') });
  log.info({ applied: applied.length }, applied.length ? 'migrations applied' : 'schema up to date');
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exit(1);
}
