import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { loadConfig, ConfigError, variables, DRAND_QUICKNET } from './config.js';

describe('config', () => {
  it('runs the demo on defaults alone', () => {
    const c = loadConfig({});
    expect(c.http.apiPort).toBe(8080);
    expect(c.edge.tickMs).toBe(1000);
    expect(c.payments.gateway).toBe('demo');
    expect(c.pass.jwksUrl).toBe('http://127.0.0.1:9001/.well-known/jwks.json');
  });

  it('coerces numbers and lists to their types', () => {
    const c = loadConfig({ API_PORT: '1234', REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001', TRUST_PROXY: 'true' });
    expect(c.http.apiPort).toBe(1234);
    expect(c.redis.clusterNodes).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
    expect(c.http.trustProxy).toBe(true);
  });

  it('names every bad variable at once, hiding secret values', () => {
    let error: unknown;
    try {
      loadConfig({ API_PORT: 'eighty', EDGE_TICK_MS: '-5', LOG_LEVEL: 'loud', VISITOR_TOKEN_SECRET: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('API_PORT="eighty"');
    expect(problems).toContain('EDGE_TICK_MS="-5"');
    expect(problems).toContain('LOG_LEVEL="loud"');
    expect(problems).toContain('VISITOR_TOKEN_SECRET=(secret, not shown)');
    expect(problems).not.toContain('short');
  });

  it('requires the secrets in production and the Stripe keys with the Stripe gateway', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PASS_SIGNING_JWKS=\(unset\)/);
    expect(() => loadConfig({ PAYMENT_GATEWAY: 'stripe' })).toThrow(/STRIPE_SECRET_KEY=\(unset\)/);
  });

  it('turns sign-in with an OpenID Connect provider on only with issuer, client id and secret together', () => {
    expect(loadConfig({}).oidc).toBeNull();
    const on = loadConfig({ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'usher', OIDC_CLIENT_SECRET: 's3cret' });
    expect(on.oidc).toEqual({ issuer: 'https://id.example.com', clientId: 'usher', clientSecret: 's3cret', name: 'OpenID Connect' });
    expect(() => loadConfig({ OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'usher' })).toThrow(/OIDC_CLIENT_SECRET=\(unset\)/);
  });

  it('resolves DRAW_BEACON_URL=auto to drand quicknet in production only; none is none', () => {
    const prod = { NODE_ENV: 'production', PASS_SIGNING_JWKS: '{"keys":[]}', VISITOR_TOKEN_SECRET: 'v'.repeat(32), AUTH_JWT_SECRET: 'a'.repeat(32) };
    expect(loadConfig(prod).edge.drawBeacon).toEqual({ url: DRAND_QUICKNET, delayS: 5, timeoutS: 60 });
    expect(loadConfig({ ...prod, DRAW_BEACON_URL: 'none' }).edge.drawBeacon.url).toBeNull();
    expect(loadConfig({}).edge.drawBeacon.url).toBeNull();
    expect(loadConfig({ DRAW_BEACON_URL: 'http://127.0.0.1:1/chain' }).edge.drawBeacon.url).toBe('http://127.0.0.1:1/chain');
    expect(() => loadConfig({ DRAW_BEACON_URL: 'drand' })).toThrow(/DRAW_BEACON_URL/);
  });

  it('documents every variable', () => {
    for (const [name, v] of Object.entries(variables)) expect(v.doc.length, name).toBeGreaterThan(10);
  });

  it('stops a role at start-up with exit 78 and the bad variable named', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', 'api'], {
      env: { ...process.env, API_PORT: 'not-a-port', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('API_PORT="not-a-port"');
  });
});
