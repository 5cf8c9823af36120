import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../common/config.js';
import { startStripeStandIn, type StripeStandIn } from '../../test/support/stripe-stand-in.js';
import { createStripeGateway, stripeClient } from './stripe-gateway.js';
import { GatewayError, paymentKeys, type PaymentGateway } from './payment-gateway.js';

let standIn: StripeStandIn;
let gateway: PaymentGateway;

beforeAll(async () => {
  standIn = await startStripeStandIn();
  gateway = createStripeGateway(stripeClient(loadConfig(standIn.env).payments));
});
afterAll(() => standIn.close());

const request = (holdId: string) => ({
  holdId, saleId: 's1', amountMinor: 9000, currency: 'EUR', email: 'fan@example.com', description: 'test', idempotencyKey: paymentKeys.authorize(holdId),
});

describe('Stripe gateway (real SDK against the stand-in)', () => {
  it('creates one manual-capture intent per hold, whatever the retries', async () => {
    const [a, b] = await Promise.all([gateway.authorize(request('hold-one')), gateway.authorize(request('hold-one'))]);
    const again = await gateway.authorize(request('hold-one'));
    expect(new Set([a.id, b.id, again.id]).size).toBe(1);
    expect(standIn.intents.get(a.id)?.capture_method).toBe('manual');
    expect(a).toMatchObject({ status: 'requires_payment', amountMinor: 9000, currency: 'EUR', metadata: { hold_id: 'hold-one' } });
    expect(a.clientSecret).toMatch(/_secret_/);
  });

  it('captures once: a repeated capture answers the captured state without a second charge', async () => {
    const pi = await gateway.authorize(request('hold-two'));
    standIn.authorize(pi.id);
    expect((await gateway.retrieve(pi.id)).status).toBe('authorized');
    await gateway.capture(pi.id, paymentKeys.capture('hold-two'));
    const second = await gateway.capture(pi.id, 'another-key');
    expect(second.status).toBe('captured');
    expect(standIn.count('capture', pi.id)).toBe(1);
  });

  it('refuses to capture a cancelled intent, and cancel is repeatable', async () => {
    const pi = await gateway.authorize(request('hold-three'));
    standIn.authorize(pi.id);
    await gateway.cancel(pi.id, paymentKeys.cancel('hold-three'));
    expect((await gateway.cancel(pi.id, 'again')).status).toBe('cancelled');
    await expect(gateway.capture(pi.id, paymentKeys.capture('hold-three'))).rejects.toMatchObject({ code: 'payment_intent_unexpected_state', transient: false });
  });

  it('marks outages transient so callers retry, and refunds once per key', async () => {
    const pi = await gateway.authorize(request('hold-four'));
    standIn.authorize(pi.id);
    await gateway.capture(pi.id, paymentKeys.capture('hold-four'));
    standIn.failNext(10);
    const err = await gateway.retrieve(pi.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).transient).toBe(true);
    standIn.failNext(0);
    const r1 = await gateway.refund(pi.id, 9000, paymentKeys.refund('hold-four'));
    const r2 = await gateway.refund(pi.id, 9000, paymentKeys.refund('hold-four'));
    expect(r1.refundId).toBe(r2.refundId);
    expect(standIn.count('refund', pi.id)).toBe(1);
  });
});
