/** Every `usher:` key is named in common/redis-keys.ts: no product file, TypeScript or Lua, spells one. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDIS_NAMESPACE, redisKeys } from './redis-keys.js';

const root = path.join(import.meta.dirname, '..');
const productFolders = ['common', 'admission', 'access', 'inventory', 'queue-edge', 'checkout', 'scripts'];
// `usher:` strings that are not Redis keys: IPC message types, JWT audiences ("usher: …" log lines have a space)
const notKeys = /usher:(metrics-|email-verification|email-change|password-reset)/;

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (entry === 'node_modules' || entry === 'static') continue;
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|lua)$/.test(entry) && !entry.endsWith('.test.ts')) yield p;
  }
}

describe('Redis key names', () => {
  it('are spelled only in common/redis-keys.ts', () => {
    const offenders: string[] = [];
    for (const folder of productFolders) {
      for (const file of files(path.join(root, folder))) {
        if (file.endsWith(path.join('common', 'redis-keys.ts'))) continue;
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          if (/^\s*(\*|\/\/|--)/.test(line)) return; // comments may show a key's shape
          if (/['"`]usher:[^ ]/.test(line) && !notKeys.test(line)) offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keep the hash tag where keys must share a slot', () => {
    expect(redisKeys.queueRoot('s1')).toBe(`${REDIS_NAMESPACE}:q:{s1}`);
    expect(redisKeys.passRateWindow('s1', 'j', 7)).toMatch(/\{s1\}/);
    expect(redisKeys.rateWindow('api', '10.0.0.1', 7)).toMatch(/\{10\.0\.0\.1\}/);
    expect(redisKeys.idempotency('pass-1', 'abc')).toMatch(/\{pass-1\}/);
  });
});
