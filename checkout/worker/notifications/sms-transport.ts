/**
 * Where text messages go: Twilio's Messages API through the official SDK when TWILIO_ACCOUNT_SID,
 * TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER are set; otherwise SMS is off and nothing is sent.
 * The SMS counterpart of mail-transport.ts. With TWILIO_API_BASE_URL (tests only) the SDK's
 * requests go to that local stand-in: same SDK, same request and answer, another host.
 */
import twilio from 'twilio';
import type RequestClientType from 'twilio/lib/base/RequestClient.js';
type Response<T> = Awaited<ReturnType<RequestClientType['request']>> & { body: T };
import type { Config } from '../../../common/config.js';
import type { Logger } from '../../../common/logger.js';

export interface OutgoingSms {
  to: string;
  body: string;
}

/** A refusal Twilio will repeat however often we retry (a number that opted out, an invalid number). */
export class SmsRefused extends Error {
  constructor(readonly code: number | undefined, message: string, readonly optedOut: boolean) {
    super(message);
    this.name = 'SmsRefused';
  }
}

export interface SmsTransport {
  readonly kind: 'twilio' | 'off';
  /** The provider's message id. Throws SmsRefused for a final refusal, anything else for "try again". */
  send(sms: OutgoingSms): Promise<{ sid: string }>;
}

/** Twilio's RequestClient, sending each request to the stand-in's origin instead of *.twilio.com. */
class StandInRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super({ timeout: 10_000, keepAlive: true });
  }
  override request<TData>(opts: RequestClientType.RequestOptions<TData>): Promise<Response<TData>> {
    const target = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: new URL(`${target.pathname}${target.search}`, this.base).href });
  }
}

/** Twilio's codes for "this number will not take messages from you": opted out (STOP), unsubscribed. */
const OPTED_OUT = new Set([21610]);

export function createSmsTransport(sms: Config['sms'], log: Logger): SmsTransport {
  if (!sms.enabled || !sms.accountSid || !sms.authToken || !sms.from) {
    return {
      kind: 'off',
      async send() {
        throw new Error('SMS is off (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER unset)');
      },
    };
  }
  const client = twilio(sms.accountSid, sms.authToken, {
    autoRetry: true, maxRetries: 3, timeout: 10_000,
    ...(sms.apiBaseUrl ? { httpClient: new StandInRequestClient(new URL(sms.apiBaseUrl)) } : {}),
  });
  const from = sms.from;
  return {
    kind: 'twilio',
    async send(message) {
      try {
        const sent = await client.messages.create({ to: message.to, from, body: message.body });
        return { sid: sent.sid };
      } catch (err) {
        const e = err as { status?: number; code?: number; message?: string };
        if (e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 429) {
          log.warn({ code: e.code, status: e.status }, 'Twilio refused the message');
          throw new SmsRefused(e.code, e.message ?? 'refused', e.code !== undefined && OPTED_OUT.has(e.code));
        }
        throw err;
      }
    },
  };
}
