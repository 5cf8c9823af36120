/**
 * Loads the Lua scripts of a folder (`<verb>-<keys>.lua`, contract in each file's header) and
 * resolves their `--- @include "<name>"` lines from `includes/` (BullMQ's convention): each include
 * is inlined once per script, includes may include others, cycles and missing files fail loudly
 * at start-up rather than as a Redis error mid-sale. `defineScripts` hands them to ioredis
 * `defineCommand`: EVAL once per connection, EVALSHA after, the body resent on NOSCRIPT.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from './redis-connection.js';

const INCLUDE = /^-{2,3}[ \t]*@include[ \t]+(["'])(.+?)\1[; \t]*$/gm;
const SCRIPT_NAME = /^([a-zA-Z]+)-(\d+)\.lua$/;

export interface LoadedScript {
  /** camelCase verb from the file name, e.g. `holdSeats` */
  name: string;
  numberOfKeys: number;
  lua: string;
}

/**
 * `includeDir`: where includes are looked up, in order (a folder's own `includes/` first, then
 * shared ones, e.g. admission/lua/includes for the queue vocabulary the API's scripts share).
 */
export function resolveIncludes(source: string, includeDir: string | readonly string[], seen: Set<string> = new Set(), stack: string[] = []): string {
  const dirs = typeof includeDir === 'string' ? [includeDir] : includeDir;
  return source.replace(INCLUDE, (_line, _quote: string, name: string) => {
    const fileName = name.endsWith('.lua') ? name : `${name}.lua`;
    const file = dirs.map((d) => path.resolve(d, fileName)).find((f) => existsSync(f)) ?? path.resolve(dirs[0] ?? '.', fileName);
    if (stack.includes(file)) throw new Error(`Lua include cycle: ${[...stack, file].map((f) => path.basename(f)).join(' → ')}`);
    if (seen.has(file)) return '';
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`Lua include "${name}" not found in ${dirs.join(', ')}`);
    }
    return resolveIncludes(text, dirs, seen, [...stack, file]);
  });
}

/** Every `<verb>-<keys>.lua` of `dir`, with includes from `dir/includes` (then `sharedIncludes`) inlined. */
export function loadScripts(dir: string, sharedIncludes: readonly string[] = []): LoadedScript[] {
  const out: LoadedScript[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const match = SCRIPT_NAME.exec(entry);
    if (!match) continue;
    const lua = resolveIncludes(readFileSync(path.join(dir, entry), 'utf8'), [path.join(dir, 'includes'), ...sharedIncludes]);
    out.push({ name: match[1]!, numberOfKeys: Number(match[2]), lua });
  }
  return out;
}

const defined = new WeakMap<object, Set<string>>();

/**
 * Defines `commands` (ioredis command name → script verb) from the scripts of `dir` on `redis`,
 * once per client and command. A verb without its file throws: a missing script fails at boot.
 */
export function defineScripts(redis: RedisClient, dir: string, commands: Record<string, string>, sharedIncludes: readonly string[] = []): void {
  const done = defined.get(redis) ?? new Set<string>();
  const wanted = Object.entries(commands).filter(([command]) => !done.has(command));
  if (wanted.length === 0) return;
  const scripts = loadScripts(dir, sharedIncludes);
  for (const [command, verb] of wanted) {
    const script = scripts.find((s) => s.name === verb);
    if (!script) throw new Error(`Lua script ${verb}-<keys>.lua is missing from ${dir}`);
    redis.defineCommand(command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
    done.add(command);
  }
  defined.set(redis, done);
}
