/** `npm run services`: the private Redis and PostgreSQL of the demo, until Ctrl-C. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServices } from './services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const services = await startServices({ dataDir: path.join(root, '.data'), log: (l) => process.stdout.write(`usher: ${l}\n`) });
process.stdout.write(`export REDIS_URL=${services.redisUrl}\nexport DATABASE_URL=${services.databaseUrl}\nCtrl-C stops them.\n`);
const stop = (): void => void services.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
