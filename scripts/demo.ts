/**
 * `bash scripts/demo.sh` (the README's first command) lands here: private services, migrations,
 * the demo flash sale, then every role in one child process until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServices } from './services.js';
import { migrate } from '../common/db/migrate.js';
import { loadConfigOrExit } from '../common/config.js';
import { seedSale, demoSaleSpec } from './seed-sale.js';
import { demoHooks } from './demo-hooks.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string): void => void process.stdout.write(`usher: ${line}\n`);

const services = await startServices({ dataDir: path.join(root, '.data'), log: say });
const env = { ...process.env, REDIS_URL: services.redisUrl, DATABASE_URL: services.databaseUrl };
const config = loadConfigOrExit(env);

say('migrating…');
const applied = await migrate(services.databaseUrl, { onApply: (m) => say(`  applied ${m}`) });
say(applied.length ? `${applied.length} migration(s) applied` : 'schema up to date');

const pool = new pg.Pool({ connectionString: services.databaseUrl, max: 2 });
const sale = await seedSale(pool, demoSaleSpec);
for (const hook of demoHooks) await hook({ config, pool, sale, say });
await pool.end();
say(`demo sale ${sale.saleId}: ${sale.capacity} places`);

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts'), 'all'], { env, stdio: 'inherit' });
const stopAll = async (code: number): Promise<never> => {
  await services.stop();
  process.exit(code);
};
process.on('SIGINT', () => child.kill('SIGTERM'));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => void stopAll(code ?? 0));

const { publicApiUrl, publicEdgeUrl } = config.http;
say('');
say(`fan page (waiting room):  ${publicEdgeUrl}/sales/${sale.saleId}`);
say(`events:                   ${publicApiUrl}/`);
say(`organiser dashboard:      ${publicApiUrl}/admin/dashboard?sale=${sale.saleId}`);
say(`organiser console:        ${publicApiUrl}/admin/console  (create a venue, an event and a sale)`);
say(`API readiness:            ${publicApiUrl}/readyz  (edge: ${publicEdgeUrl}/readyz, worker: http://127.0.0.1:${config.http.workerPort}/readyz)`);
say('Ctrl-C stops everything.');
