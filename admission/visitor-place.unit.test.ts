import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { storedStates, storedFields, storedPlace, storedPlaceJson, type Place } from './visitor-place.js';

/** `name = 'x'` pairs of one Lua table constructor `local NAME = { … }` of the include. */
function luaTable(source: string, name: string): Record<string, string> {
  const body = new RegExp(`local ${name} = \\{([^}]*)\\}`).exec(source)?.[1];
  if (body === undefined) throw new Error(`no table ${name} in visitorPlace.lua`);
  return Object.fromEntries([...body.matchAll(/(\w+)\s*=\s*'([^']*)'/g)].map((m) => [m[1], m[2]]));
}

describe('the stored visitor place', () => {
  it('has one legend: the Lua include stores exactly the letters visitor-place.ts names', () => {
    const lua = readFileSync(new URL('./lua/includes/visitorPlace.lua', import.meta.url), 'utf8');
    expect(luaTable(lua, 'PLACE_STATES')).toEqual(storedStates);
    expect(luaTable(lua, 'PLACE_FIELDS')).toEqual(storedFields);
  });

  it('reads back what it writes, in the terse form the scripts store', () => {
    const places: Exclude<Place, { state: 'done' }>[] = [
      { state: 'prequeue' },
      { state: 'waiting', ticket: 7 },
      { state: 'offer', ticket: 7, deadline: 1_700_000_000_000 },
      { state: 'admitted', pass: 'header.claims.signature', exp: 1_700_000_600_000, jti: 'jti-1' },
    ];
    for (const place of places) expect(storedPlace(storedPlaceJson(place))).toEqual(place);
    expect(JSON.parse(storedPlaceJson({ state: 'offer', ticket: 7, deadline: 5 }))).toEqual({ s: 'o', t: 7, d: 5 });
  });

  it('refuses what is not a place', () => {
    expect(storedPlace('{"s":"x","t":1}')).toBeNull();
    expect(storedPlace('{"s":"w"}')).toBeNull();
    expect(storedPlace('not json')).toBeNull();
  });
});
