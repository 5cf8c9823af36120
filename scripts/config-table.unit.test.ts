import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { configTable } from './config-table.js';

describe('README configuration table', () => {
  it('is the one generated from common/config.ts (refresh: `npm run config:table -- --write`)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const begin = readme.indexOf('<!-- config-table:begin -->');
    const end = readme.indexOf('<!-- config-table:end -->');
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin + '<!-- config-table:begin -->'.length, end).trim()).toBe(configTable());
  });
});
