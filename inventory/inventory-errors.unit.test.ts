/**
 * The inventory's error codes are the ones its scripts answer: every `USHER:<code>` a script of
 * inventory/lua/ refuses with is in `scriptErrorCodes` and becomes an InventoryError, and every
 * listed code is still answered by some script (a stale entry fails here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { missErrorCodes, scriptErrorCodes } from './inventory-api.js';
import { InventoryError, fromScriptError } from './inventory-errors.js';

const luaDir = path.join(import.meta.dirname, 'lua');
const scripts = readdirSync(luaDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.lua')).map((f) => readFileSync(path.join(luaDir, f), 'utf8'));
/** Lua without its comments: what a script can actually answer. */
const code = scripts.map((s) => s.replace(/--\[\[[\s\S]*?\]\]/g, '').replace(/--.*$/gm, '')).join('\n');

describe('inventory error codes', () => {
  it('list exactly the USHER:<code> replies of the inventory scripts', () => {
    const replied = new Set([...code.matchAll(/error_reply\(\s*'USHER:([a-z_]+)/g)].map((m) => m[1]));
    expect([...replied].sort()).toEqual([...scriptErrorCodes].sort());
  });

  it('list the miss reasons the hold script records', () => {
    for (const reason of missErrorCodes) expect(code, reason).toContain(`'${reason}'`);
  });

  it('turn each script code into an InventoryError with that code, and leave other errors alone', () => {
    for (const c of scriptErrorCodes) {
      const thrown = (() => {
        try {
          fromScriptError(new Error(`ERR USHER:${c} seat 12`));
        } catch (err) {
          return err;
        }
      })();
      expect(thrown).toBeInstanceOf(InventoryError);
      expect((thrown as InventoryError).code).toBe(c);
    }
    const other = new Error('ERR USHER:sold_out');
    expect(() => fromScriptError(other)).toThrow(other);
  });
});
