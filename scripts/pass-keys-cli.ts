/**
 * `npm run pass-keys -- <command>`: the operator's view of the admission-pass keyset in Redis
 * (admission/pass-keyset.ts). Every edge re-reads it within PASS_KEYS_REFRESH_S; nothing restarts.
 *
 *   list                         every key: state, when it signs from, when it is retired
 *   rotate [--activate-in-s N]   add a key: published now, signing from now + N s (default: all
 *          [--retain-s N]          edges and verifiers have it by then); the current key stays
 *          [--key-file F]          published N s after that (default: shopping window + offer TTL
 *          [--force]               + 60 s), then retires. --key-file: a private JWK(S) you keep
 *                                  in your secret store (see `generate`), else one is generated.
 *   retire <kid>                 stop publishing a key now (compromised): its passes stop verifying
 *                                  within PASS_JWKS_MAX_AGE_S. Not the signing key: rotate first.
 *   generate                     print a new private JWKS (for PASS_SIGNING_JWKS or --key-file)
 *
 * Exit codes: 0 done, 1 refused or failed, 64 bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { loadConfigOrExit, type Config } from '../common/config.js';
import { connectRedis } from '../common/redis-connection.js';
import { generatePassJwks } from '../admission/admission-pass.js';
import { keyStateAt, retireKey, rotateKeyset, PassKeysetError, type PassKey, type PassKeyset } from '../admission/pass-keyset.js';
import { readPassKeyset, updatePassKeyset } from '../admission/pass-keyset-store.js';
import { defaultActivationDelayS, defaultRetentionS } from '../admission/pass-keyring.js';

const usage = 'usage: npm run pass-keys -- list | rotate [--activate-in-s N] [--retain-s N] [--key-file F] [--force] | retire <kid> | generate\n';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'activate-in-s': { type: 'string' },
    'retain-s': { type: 'string' },
    'key-file': { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command, ...rest] = positionals;
if (values.help || !command) {
  process.stderr.write(usage);
  process.exit(values.help ? 0 : 64);
}

function seconds(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number of seconds, not ${JSON.stringify(raw)}\n${usage}`);
    process.exit(64);
  }
  return n;
}

const at = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString());

function describe(set: PassKeyset, nowMs: number): string {
  const rows = set.keys.map((k: PassKey) => `${k.kid.padEnd(32)} ${keyStateAt(set, k, nowMs).padEnd(8)} signs from ${at(k.activatesAtMs)}  retires ${at(k.retiresAtMs)}`);
  return `pass keyset version ${set.version}\n${rows.join('\n')}\n`;
}

function newKey(jwk: JWK | undefined, source = 'the key'): { kid: string; jwk: PassKey['jwk'] } {
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d || !jwk.x || !jwk.y || !jwk.kid) {
    throw new PassKeysetError(`${source}: expected a private EC P-256 JWK (or a JWKS of one) with a kid`);
  }
  const { kid, alg: _alg, use: _use, ...rest } = jwk;
  return { kid, jwk: { ...rest, kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d } };
}

function keyFromFile(file: string): { kid: string; jwk: PassKey['jwk'] } {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as JWK | { keys: JWK[] };
  return newKey('keys' in parsed ? parsed.keys[0] : parsed, file);
}

async function rotate(config: Config, redis: ReturnType<typeof connectRedis>): Promise<void> {
  const activateInS = seconds('activate-in-s', values['activate-in-s'], defaultActivationDelayS(config));
  const minimumRetainS = config.pass.ttlS + config.edge.offerTtlS;
  const retainS = seconds('retain-s', values['retain-s'], defaultRetentionS(config));
  if (retainS < minimumRetainS && !values.force) {
    throw new PassKeysetError(`--retain-s ${retainS} is shorter than PASS_TTL_S + QUEUE_OFFER_TTL_S (${minimumRetainS}): passes signed by the old key would stop verifying before they expire (--force to do it anyway)`);
  }
  const key = values['key-file'] ? keyFromFile(values['key-file']) : newKey((await generatePassJwks()).keys[0]!);
  const next = await updatePassKeyset(redis, (set) => rotateKeyset(set, { key, nowMs: Date.now(), activateInMs: activateInS * 1000, retainMs: retainS * 1000 }));
  const added = next.keys.find((k) => k.kid === key.kid)!;
  process.stdout.write(`added ${key.kid}: published by every edge within ${config.pass.keysRefreshS} s, signs from ${at(added.activatesAtMs)}; the previous key retires at ${at(added.activatesAtMs + retainS * 1000)}\n`);
  if (activateInS < defaultActivationDelayS(config)) {
    process.stdout.write(`note: --activate-in-s ${activateInS} is under the safe ${defaultActivationDelayS(config)} s: a few passes signed before every edge and API has the key may be refused\n`);
  }
  if (!values['key-file']) process.stdout.write('the new private key is kept in Redis only; put your own in PASS_SIGNING_JWKS too (generate + --key-file) so a Redis loss re-seeds it\n');
  process.stdout.write(describe(next, Date.now()));
}

const config = loadConfigOrExit();
if (command === 'generate') {
  process.stdout.write(`${JSON.stringify(await generatePassJwks())}\n`);
  process.exit(0);
}
const redis = connectRedis(config, { connectionName: 'usher-pass-keys' });
try {
  const nowMs = Date.now();
  if (command === 'list') {
    const set = await readPassKeyset(redis);
    process.stdout.write(set ? describe(set, nowMs) : 'no pass keyset in Redis yet: the first edge to start seeds it\n');
  } else if (command === 'rotate') {
    await rotate(config, redis);
  } else if (command === 'retire' && rest.length === 1) {
    const next = await updatePassKeyset(redis, (set) => retireKey(set, rest[0]!, Date.now()));
    process.stdout.write(`retired ${rest[0]}: edges stop publishing it within ${config.pass.keysRefreshS} s, the API stops accepting its passes within ${config.pass.jwksMaxAgeS} s more\n`);
    process.stdout.write(describe(next, Date.now()));
  } else {
    process.stderr.write(usage);
    process.exitCode = 64;
  }
} catch (err) {
  process.stderr.write(`usher pass-keys: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
