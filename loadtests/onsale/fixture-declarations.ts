/**
 * The shared fixture (loadtests/k6/lib/usher-api.js) is plain JS so that k6 can run it; TypeScript
 * reads it through `usher-api.d.ts`, which is generated from the JSDoc by tsc. Run this file to
 * regenerate it (`npx tsx loadtests/onsale/fixture-declarations.ts`); a test fails when the
 * committed one is stale.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtureJs = path.join(root, 'loadtests/k6/lib/usher-api.js');
export const fixtureDts = path.join(root, 'loadtests/k6/lib/usher-api.d.ts');
const HEADER = '// Generated from usher-api.js by loadtests/onsale/fixture-declarations.ts. Do not edit.\n';

export function generateFixtureDeclarations(): string {
  const out = mkdtempSync(path.join(tmpdir(), 'usher-fixture-dts-'));
  try {
    execFileSync(process.execPath, [
      path.join(root, 'node_modules/typescript/bin/tsc'), '--allowJs', '--declaration', '--emitDeclarationOnly', '--strict',
      '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--outDir', out, fixtureJs,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    return HEADER + readFileSync(path.join(out, 'usher-api.d.ts'), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  writeFileSync(fixtureDts, generateFixtureDeclarations());
  process.stdout.write(`wrote ${path.relative(root, fixtureDts)}\n`);
}
