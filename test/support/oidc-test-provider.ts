/**
 * A real OpenID Connect provider for tests: npm `oidc-provider` on a free loopback port, one
 * confidential client (code flow, PKCE required), and accounts the test declares. Its login and
 * consent screens are replaced by `signInAs`: the next interaction is finished as that account
 * (the provider's own cookies, state and grant machinery run unchanged), so a test drives the
 * whole redirect chain with plain HTTP requests and a small cookie jar.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email?: string;
  emailVerified?: boolean;
}

export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Config of the API under test (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_PROVIDER_NAME). */
  env: Record<string, string>;
  addAccount(account: TestAccount): void;
  /** The account the next login interaction signs in as; `'deny'` answers access_denied. */
  signInAs(sub: string | 'deny'): void;
  close(): Promise<void>;
}

export async function startOidcTestProvider(redirectUri: string): Promise<OidcTestProvider> {
  const accounts = new Map<string, TestAccount>();
  let next: string | 'deny' | undefined;
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'usher-test';
  const clientSecret = 'usher-test-secret-0123456789abcdef';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const configuration: Configuration = {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'usher-test', alg: 'RS256', use: 'sig' }] as NonNullable<Configuration['jwks']>['keys'] },
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['usher-test-cookie-key'] },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, ...(account.email ? { email: account.email, email_verified: account.emailVerified ?? false } : {}) }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const who = next;
        if (who === 'deny' || who === undefined) {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'the test said no' }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId: who, clientId: String(details.params.client_id) });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: who }, consent: { grantId } }, { mergeWithLastSubmission: false });
      } catch (err) {
        res.statusCode = 500;
        res.end(String(err));
      }
    })();
  });
  return {
    issuer, clientId, clientSecret,
    env: { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_PROVIDER_NAME: 'Test ID' },
    addAccount: (a) => accounts.set(a.sub, a),
    signInAs: (sub) => { next = sub; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Follows redirects on `origin` with a cookie jar until one leaves it; answers that Location. */
export async function followProvider(start: string, origin: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  for (let hops = 0; hops < 20; hops++) {
    if (url.origin !== origin) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${res.status} at ${url.pathname} without a redirect: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the provider');
}
