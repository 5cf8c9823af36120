import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../test/support/databases.js';
import { verifyPassword } from './password-hash.js';

const run = promisify(execFile);
let db: FreshDatabase;
beforeAll(async () => {
  db = await freshDatabase();
  db.pool.on('error', () => undefined); // DROP … WITH (FORCE) at the end ends idle clients
});
afterAll(() => db?.drop());

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/create-admin-cli.ts', ...args], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', ...env } });
    return { stdout, code: 0 };
  } catch (err) {
    return { stdout: String((err as { stdout?: string }).stdout ?? ''), code: (err as { code?: number }).code ?? 1 };
  }
}

describe('npm run admin:create', () => {
  it('creates an organiser with a generated password printed once, then promotes and re-keys on a second run', async () => {
    const first = await cli(['--email', 'Boss@Usher.Local']);
    expect(first.code).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(first.stdout)?.[1];
    expect(password).toBeTruthy();
    const row = (await db.pool.query(`SELECT role, password_hash FROM users WHERE lower(email) = 'boss@usher.local'`)).rows[0];
    expect(row.role).toBe('admin');
    expect(await verifyPassword(password!, row.password_hash)).toBe(true);

    await db.pool.query(`UPDATE users SET role = 'fan'`);
    const second = await cli(['--email', 'boss@usher.local'], { USHER_ADMIN_PASSWORD: 'chosen password 42' });
    expect(second.stdout).toContain('updated organiser');
    expect(second.stdout).not.toContain('chosen password');
    const again = (await db.pool.query(`SELECT count(*)::int AS n, max(role) AS role, max(password_hash) AS h FROM users`)).rows[0];
    expect(again).toMatchObject({ n: 1, role: 'admin' });
    expect(await verifyPassword('chosen password 42', again.h)).toBe(true);
  }, 60_000);

  it('refuses to run without an e-mail', async () => {
    expect((await cli([])).code).toBe(64);
  }, 30_000);
});
