/**
 * The k6 scripts cannot run here (no k6 binary): they are type-checked against @types/k6 instead,
 * and the shared fixture's TypeScript declarations must be the ones generated from its JSDoc.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtureDts, generateFixtureDeclarations } from './fixture-declarations.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const k6 = (file: string): string => readFileSync(path.join(root, 'loadtests/k6', file), 'utf8');

describe('k6 scripts', () => {
  it('type-check against @types/k6 with no errors', () => {
    let output = '';
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'loadtests/k6/tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 120_000);

  it('take their routes and bodies from the shared fixture, and state the thresholds the issue asks for', () => {
    const onsale = k6('onsale.js');
    const room = k6('waiting-room.js');
    for (const script of [onsale, room]) expect(script).toMatch(/from '\.\/lib\/usher-api\.js'/);
    // no route literals: every path comes from pathOf()/searchPath()
    for (const script of [onsale, room]) expect(script).not.toMatch(/['`]\/v1\//);
    expect(onsale).toMatch(/executor: 'ramping-arrival-rate'/);
    expect(onsale).toMatch(/dropped_iterations:/);
    expect(onsale).toMatch(/http_req_failed:/);
    expect(onsale).toMatch(/p\(99\)</);
    expect(room).toMatch(/from 'k6\/websockets'/);
    expect(room).toMatch(/position_update_lag_ms: \[/);
  });

  it('the fixture declarations are generated from the fixture', () => {
    expect(readFileSync(fixtureDts, 'utf8')).toBe(generateFixtureDeclarations());
  }, 60_000);
});
