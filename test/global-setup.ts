/**
 * Starts the test suite's own Redis and PostgreSQL (never the machine's standard ports, unless
 * REDIS_URL / DATABASE_URL say so), and migrates a template database that every test file
 * clones into a fresh database of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServices } from '../scripts/services.js';
import { migrate } from '../common/db/migrate.js';
import pg from 'pg';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    databaseUrl: string;
    templateDatabase: string;
  }
}

export const TEMPLATE_DATABASE = 'usher_test_template';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'usher-test-'));
  const log = (line: string): void => void process.stderr.write(`[test services] ${line}\n`);
  const services = await startServices({
    dataDir,
    fast: true,
    log,
    env: { REDIS_URL: process.env.TEST_REDIS_URL, DATABASE_URL: process.env.TEST_DATABASE_URL },
  });
  const admin = new URL(services.databaseUrl);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  await c.end();
  const templateUrl = new URL(services.databaseUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await migrate(templateUrl.toString());
  log('template database migrated');

  project.provide('redisUrl', services.redisUrl);
  project.provide('databaseUrl', services.databaseUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  return async () => {
    await services.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
