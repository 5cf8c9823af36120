import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadScripts, resolveIncludes } from './lua-script-loader.js';
import { luaDir, inventoryCommands } from '../inventory/inventory-scripts.js';
import { queueLuaDir, queueCommands } from '../queue-edge/queue-scripts.js';
import { sharedQueueLuaIncludes } from '../admission/fan-scripts.js';

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'usher-lua-'));
  mkdirSync(path.join(dir, 'includes'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('script loader', () => {
  it('inlines includes once, recursively, and names scripts after verb and key count', () => {
    const dir = scratch({
      'includes/a.lua': '--- @include "b"\nlocal function a() return b() end\n',
      'includes/b.lua': 'local function b() return 1 end\n',
      'doThing-3.lua': '--- @include "a"\n--- @include "b"\nreturn a()\n',
      'notAScript.lua': 'return 1',
    });
    const scripts = loadScripts(dir);
    expect(scripts.map((s) => [s.name, s.numberOfKeys])).toEqual([['doThing', 3]]);
    const lua = scripts[0]!.lua;
    expect(lua.match(/local function b\(\)/g)).toHaveLength(1);
    expect(lua.indexOf('function b')).toBeLessThan(lua.indexOf('function a'));
    expect(lua).not.toContain('@include');
  });

  it('fails loudly on a missing include or a cycle', () => {
    const missing = scratch({ 'x-1.lua': '--- @include "nope"\n' });
    expect(() => loadScripts(missing)).toThrow(/include "nope" not found/);
    const cyclic = scratch({ 'includes/p.lua': '--- @include "q"\n', 'includes/q.lua': '--- @include "p"\n' });
    expect(() => resolveIncludes('--- @include "p"\n', path.join(cyclic, 'includes'))).toThrow(/cycle/);
  });

  it('finds every inventory command with its includes resolved', () => {
    const scripts = loadScripts(luaDir);
    for (const verb of inventoryCommands) {
      const s = scripts.find((x) => x.name === verb);
      expect(s, verb).toBeDefined();
      expect(s!.lua).not.toMatch(/@include/);
    }
  });

  it('names only files that exist in the scripts\' comments (a header is a contract, not a memory)', () => {
    const root = path.join(import.meta.dirname, '..');
    const scripts = ['common', 'admission', 'access', 'inventory', 'queue-edge', 'checkout'].flatMap((top) =>
      readdirSync(path.join(root, top), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.lua')).map((f) => path.join(root, top, f)),
    );
    expect(scripts.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const file of scripts) {
      const dir = path.dirname(file);
      // a name is relative to the script's folder or to one it is in (its role's folder, the repo)
      const folders: string[] = [];
      for (let d = dir; d.startsWith(root); d = path.dirname(d)) folders.push(d);
      for (const [, named] of readFileSync(file, 'utf8').matchAll(/([A-Za-z0-9_/.-]+\.(?:ts|lua))\b/g)) {
        if (!folders.some((d) => existsSync(path.join(d, named!)))) missing.push(`${path.relative(root, file)} names ${named}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('finds every queue command of the edge', () => {
    const names = loadScripts(queueLuaDir, [sharedQueueLuaIncludes]).map((s) => s.name);
    for (const verb of Object.values(queueCommands)) expect(names, verb).toContain(verb);
  });
});
