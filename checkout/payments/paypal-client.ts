/**
 * The PayPal SDK client from config: OAuth client credentials, sandbox or live, bounded timeouts
 * and retries (every mutating call carries a PayPal-Request-Id, so a retried POST is one operation).
 * With PAYPAL_API_BASE_URL (tests only) the SDK's requests for PayPal's API host go over plain HTTP
 * to that local stand-in instead: the same SDK code builds, sends and parses them.
 */
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { connect, type Socket } from 'node:net';
import { Client, Environment } from '@paypal/paypal-server-sdk';
import type { Config } from '../../common/config.js';

/** An https agent whose "TLS" connection is a plain TCP socket to the stand-in. */
class StandInAgent extends HttpsAgent {
  constructor(private readonly target: URL, opts: AgentOptions) {
    super(opts);
  }
  override createConnection(): Socket {
    return connect({ host: this.target.hostname, port: Number(this.target.port || 80) });
  }
}

export function paypalClient(paypal: Config['payments']['paypal']): Client {
  if (!paypal.clientId || !paypal.clientSecret) throw new Error('PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET are required for the PayPal gateway');
  const standIn = paypal.apiBaseUrl ? new URL(paypal.apiBaseUrl) : undefined;
  if (standIn && standIn.protocol !== 'http:') throw new Error('PAYPAL_API_BASE_URL must be a local http:// stand-in');
  return new Client({
    clientCredentialsAuthCredentials: { oAuthClientId: paypal.clientId, oAuthClientSecret: paypal.clientSecret },
    environment: paypal.environment === 'production' ? Environment.Production : Environment.Sandbox,
    timeout: 20_000,
    httpClientOptions: {
      timeout: 20_000,
      retryConfig: { maxNumberOfRetries: 2, retryOnTimeout: true, retryInterval: 0.2, maximumRetryWaitTime: 5, backoffFactor: 2, httpMethodsToRetry: ['GET', 'POST'], httpStatusCodesToRetry: [408, 429, 500, 502, 503, 504] },
      ...(standIn ? { httpsAgent: new StandInAgent(standIn, { keepAlive: true }) } : {}),
    },
  });
}
