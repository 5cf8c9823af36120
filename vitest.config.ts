import { defineConfig } from 'vitest/config';

/**
 * Three tiers, told apart by file name:
 *   *.unit.test.ts  unit: no services at all (no global setup, so a unit test that reaches for
 *                   Redis or PostgreSQL fails loudly instead of quietly becoming an integration test)
 *   *.e2e.test.ts   end-to-end: headless Chromium against real roles
 *   *.test.ts       integration (the rest): the suite's own real Redis and PostgreSQL
 * `npx vitest run --project unit` runs one tier; the README's test command runs all three.
 */
const exclude = ['node_modules/**', 'dist/**', '.data/**'];
const services = { globalSetup: ['./test/global-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: more workers only add contention against the shared Redis and Postgres.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude, testTimeout: 30_000 } },
      { test: { name: 'integration', include: ['**/*.test.ts'], exclude: [...exclude, '**/*.unit.test.ts', '**/*.e2e.test.ts'], ...services } },
      { test: { name: 'e2e', include: ['**/*.e2e.test.ts'], exclude, ...services } },
    ],
  },
});
