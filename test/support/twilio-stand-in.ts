/**
 * A local stand-in for Twilio's Messages endpoint (`POST /2010-04-01/Accounts/{sid}/Messages.json`),
 * so tests run the real twilio SDK (its requests sent here by TWILIO_API_BASE_URL) and read what
 * it sent. Basic auth with the account SID and auth token, like Twilio; a number that answered
 * STOP is refused with Twilio's 21610; `failNext` makes the next calls 500. `incoming` builds an
 * incoming-message webhook signed the way Twilio signs it (X-Twilio-Signature).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface SentSms { sid: string; to: string; from: string; body: string }

export interface TwilioStandIn {
  url: string;
  env: Record<string, string>;
  authToken: string;
  sent: SentSms[];
  /** Numbers Twilio itself blocks (they texted STOP to the sender). */
  stopped: Set<string>;
  failNext(n: number): void;
  /** An incoming message as Twilio posts it to `webhookUrl`, signed with the auth token. */
  incoming(webhookUrl: string, from: string, body: string): { body: string; headers: Record<string, string> };
  close(): Promise<void>;
}

export async function startTwilioStandIn(options: { accountSid?: string; authToken?: string; from?: string } = {}): Promise<TwilioStandIn> {
  const accountSid = options.accountSid ?? `AC${'0'.repeat(30)}1`;
  const authToken = options.authToken ?? 'standin-auth-token-0123456789abcdef';
  const fromNumber = options.from ?? '+15005550006';
  const sent: SentSms[] = [];
  const stopped = new Set<string>();
  let failures = 0;
  let seq = 0;
  const send = (res: ServerResponse, status: number, obj: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return send(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      if (failures > 0) {
        failures--;
        return send(res, 500, { code: 20500, message: 'stand-in outage', status: 500 });
      }
      const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
      if (req.method !== 'POST' || path !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) return send(res, 404, { code: 20404, message: 'not found', status: 404 });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? '';
      if (stopped.has(to)) return send(res, 400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 });
      const message = { sid: `SM${Date.now().toString(16)}${(++seq).toString(16).padStart(8, '0')}`, to, from: form.get('From') ?? '', body: form.get('Body') ?? '' };
      sent.push(message);
      send(res, 201, { ...message, account_sid: accountSid, status: 'queued', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01', date_created: new Date().toUTCString(), uri: `${path.slice(0, -5)}/${message.sid}.json` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url, authToken, sent, stopped,
    env: { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_FROM_NUMBER: fromNumber, TWILIO_API_BASE_URL: url },
    failNext(n) {
      failures = n;
    },
    incoming(webhookUrl, from, body) {
      const params = { AccountSid: accountSid, MessageSid: `SM${(++seq).toString(16).padStart(32, '0')}`, From: from, To: fromNumber, Body: body, NumMedia: '0' };
      return {
        body: new URLSearchParams(params).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, webhookUrl, params) },
      };
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
