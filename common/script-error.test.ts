import { describe, it, expect, afterAll } from 'vitest';
import { newRedis } from '../test/support/databases.js';
import { scriptErrorOf } from './script-error.js';

const redis = newRedis();
afterAll(() => redis.disconnect());

/** The error a real Redis answers for a script ending in `return <lua>`. */
async function failureOf(lua: string): Promise<unknown> {
  return redis.eval(`return ${lua}`, 0).then(() => undefined, (err: unknown) => err);
}

describe('scriptErrorOf', () => {
  it("reads the code and detail of a script's USHER: error_reply, with a detail or without (Redis then adds ERR)", async () => {
    expect(scriptErrorOf(await failureOf("redis.error_reply('USHER:seat_taken seat 12 is held')"))).toEqual({ code: 'seat_taken', detail: 'seat 12 is held' });
    expect(scriptErrorOf(await failureOf("redis.error_reply('USHER:no_offer')"))).toEqual({ code: 'no_offer', detail: undefined });
  });

  it('is null for every other error: a Lua bug, a foreign error, a connection failure are not refusals', async () => {
    expect(scriptErrorOf(await failureOf('nosuchglobal.x'))).toBeNull();
    expect(scriptErrorOf(await failureOf("redis.error_reply('WRONGTYPE USHER:sold_out')"))).toBeNull();
    expect(scriptErrorOf(await failureOf("redis.error_reply('USHER:Not_A_Code')"))).toBeNull();
    expect(scriptErrorOf(new Error('Reached the max retries per request limit (which is 3).'))).toBeNull();
    expect(scriptErrorOf('USHER:sold_out')).toBeNull();
  });
});
