/**
 * The operator's actions on one fan through the API (checkout/admin/fan-routes.ts) against real
 * Redis and PostgreSQL: a pass revoked mid-shopping is refused at its next hold and at checkout
 * with a precise 403; look-ups by visitor, e-mail and order number; an account ban; the audit
 * log written for every action (fan actions and the sale's controls) and impossible to change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueKeys } from '../../admission/queue-keys.js';
import { storedPlaceJson } from '../../admission/visitor-place.js';
import { checkoutFeatures } from '../api/routes.js';
import { adminRoutes } from './admin-module.js';
import { adminToken, fanToken } from '../../test/support/admin-test-kit.js';
import { checkoutWorld, type CheckoutWorld } from '../../test/support/checkout-harness.js';
import { uniqueId } from '../../test/support/databases.js';

let w: CheckoutWorld;
let admin: string;
let adminEmail: string;
beforeAll(async () => {
  w = await checkoutWorld({ gateway: 'demo', features: [...checkoutFeatures, adminRoutes] });
  admin = await adminToken(w.deps);
  adminEmail = JSON.parse(Buffer.from(admin.split('.')[1]!, 'base64url').toString()).email as string;
  // the seeded sale has its queue settings once published through the admin API; the seed publishes pools only
  await w.ctx.redis.hset(queueKeys(w.sale.saleId).settings, { rate_per_min: '60', max_active: '100' });
});
afterAll(() => w?.close());

const sale = () => w.sale.saleId;
const blockA = () => w.sale.sectionIds['Block A']!;
const act = (visitor: string, body: unknown, token = admin) => w.json('POST', `/v1/admin/sales/${sale()}/fans/${visitor}/actions`, { token, body });

/** A fan the edge admitted: their pass signed, its lease active, their place stored as the edge's take would. */
async function admittedFan(): Promise<{ visitorId: string; token: string; jti: string }> {
  const visitorId = uniqueId('v');
  const { token, claims } = await w.signer.sign({ saleId: sale(), visitorId, ttlS: 600 });
  const k = queueKeys(sale());
  await w.ctx.redis.zadd(k.active, Date.now() + 600_000, claims.jti);
  await w.ctx.redis.hset(k.visitors, visitorId, storedPlaceJson({ state: 'admitted', jti: claims.jti, exp: claims.exp * 1000, pass: token }));
  return { visitorId, token, jti: claims.jti };
}

async function waitingFan(ticket: number): Promise<string> {
  const visitorId = uniqueId('v');
  const k = queueKeys(sale());
  await w.ctx.redis.zadd(k.waiting, ticket, visitorId);
  await w.ctx.redis.hset(k.visitors, visitorId, storedPlaceJson({ state: 'waiting', ticket }));
  return visitorId;
}

/** An order of this fan's pass, as the commit writes it (the order id is the hold id). */
async function orderOf(jti: string, o: { email?: string; userId?: string } = {}): Promise<{ id: string; number: string }> {
  const { rows } = await w.db.pool.query<{ id: string; number: string }>(
    `INSERT INTO orders (id, sale_id, event_id, user_id, email, payment_intent_id, amount_minor, currency, status)
     SELECT $1, s.id, s.event_id, $2, $3, $4, 1000, 'EUR', 'committed' FROM sales s WHERE s.id = $5 RETURNING id, number`,
    [`${sale()}.0.${jti}`, o.userId ?? null, o.email ?? 'fan@example.com', uniqueId('pi'), sale()]);
  return rows[0]!;
}

async function auditRows(): Promise<{ action: string; visitor_id: string | null; reason: string | null; actor_email: string }[]> {
  return (await w.db.pool.query(`SELECT action, visitor_id, reason, actor_email FROM operator_audit WHERE sale_id = $1 ORDER BY id`, [sale()])).rows;
}

describe('revoke a pass mid-shopping', () => {
  it('the next hold and the checkout answer 403 pass_revoked_by_operator; the shopper slot frees; the audit row says who and why', async () => {
    const fan = await admittedFan();
    const first = await w.json('POST', `/v1/sales/${sale()}/holds`, { token: fan.token, body: { kind: 'best', sectionId: blockA(), quantity: 1 } });
    expect(first.status).toBe(201);

    const r = await act(fan.visitorId, { action: 'revoke_pass', reason: 'ticket tout: 40 tabs from one address' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ action: 'revoke_pass', before: 'admitted', revokedJti: fan.jti, releasedHold: first.body.holdId, changed: true });
    // its seat is back on sale at once, not at the hold's deadline
    expect((await w.deps.inventory.getHold(first.body.holdId as string))?.state).toBe('RELEASED');
    expect(await w.ctx.redis.zscore(queueKeys(sale()).active, fan.jti)).toBeNull();

    const again = await w.json('POST', `/v1/sales/${sale()}/holds`, { token: fan.token, body: { kind: 'best', sectionId: blockA(), quantity: 1 } });
    expect([again.status, again.body.code]).toEqual([403, 'pass_revoked_by_operator']);
    expect(again.body.detail).toMatch(/organiser revoked/);
    const pay = await w.json('POST', `/v1/holds/${first.body.holdId}/checkout`, { token: fan.token, body: { email: 'fan@example.com' } });
    expect([pay.status, pay.body.code]).toEqual([403, 'pass_revoked_by_operator']);
    // a pass whose window simply ended keeps its 401
    const lapsed = await admittedFan();
    await w.ctx.redis.zrem(queueKeys(sale()).active, lapsed.jti);
    const ended = await w.json('POST', `/v1/sales/${sale()}/holds`, { token: lapsed.token, body: { kind: 'best', sectionId: blockA(), quantity: 1 } });
    expect([ended.status, ended.body.code]).toEqual([401, 'pass_revoked']);

    const rows = (await auditRows()).filter((x) => x.visitor_id === fan.visitorId);
    expect(rows).toEqual([{ action: 'fan.revoke_pass', visitor_id: fan.visitorId, reason: 'ticket tout: 40 tabs from one address', actor_email: adminEmail }]);
    // a second revocation is refused precisely; the log keeps the attempt and its failure
    const twice = await act(fan.visitorId, { action: 'revoke_pass', reason: 'again' });
    expect([twice.status, twice.body.code]).toEqual([409, 'pass_not_active']);
    expect((await auditRows()).filter((x) => x.visitor_id === fan.visitorId).map((x) => x.action)).toEqual(['fan.revoke_pass', 'fan.revoke_pass', 'fan.revoke_pass.failed']);
  });
});

describe('looking a fan up', () => {
  it('by visitor id, by order number and by e-mail: the place, the pass, the orders', async () => {
    const fan = await admittedFan();
    const order = await orderOf(fan.jti, { email: 'lookup@example.com' });
    const byVisitor = await w.json('GET', `/v1/admin/sales/${sale()}/fans?visitor=${fan.visitorId}`, { token: admin });
    expect(byVisitor.status).toBe(200);
    expect(byVisitor.body.fans).toEqual([expect.objectContaining({
      visitorId: fan.visitorId, state: 'admitted', passJti: fan.jti, leaseActive: true, banned: null, passRevoked: null,
      orders: [expect.objectContaining({ number: order.number, email: 'lookup@example.com' })],
    })]);
    const byOrder = await w.json('GET', `/v1/admin/sales/${sale()}/fans?order=${order.number}`, { token: admin });
    expect(byOrder.body.fans.map((f: { visitorId: string }) => f.visitorId)).toEqual([fan.visitorId]);
    const byEmail = await w.json('GET', `/v1/admin/sales/${sale()}/fans?email=LOOKUP@example.com`, { token: admin });
    expect(byEmail.body.fans.map((f: { visitorId: string }) => f.visitorId)).toEqual([fan.visitorId]);

    const waiting = await waitingFan(7);
    expect((await w.json('GET', `/v1/admin/sales/${sale()}/fans?visitor=${waiting}`, { token: admin })).body.fans[0]).toMatchObject({ state: 'waiting', ticket: 7 });
    expect((await w.json('GET', `/v1/admin/sales/${sale()}/fans?visitor=nobody-here`, { token: admin })).body.fans[0]).toMatchObject({ state: 'none' });
  });

  it('refuses an ambiguous or empty query (400) and a fan\'s token (403)', async () => {
    const both = await w.json('GET', `/v1/admin/sales/${sale()}/fans?visitor=a&email=b@example.com`, { token: admin });
    expect([both.status, both.body.code]).toEqual([400, 'validation_failed']);
    expect((await w.json('GET', `/v1/admin/sales/${sale()}/fans`, { token: admin })).status).toBe(400);
    expect((await w.json('GET', `/v1/admin/sales/${sale()}/fans?order=12`, { token: admin })).status).toBe(400);
    const fan = await fanToken(w.deps);
    expect((await w.json('GET', `/v1/admin/sales/${sale()}/fans?visitor=a`, { token: fan })).status).toBe(403);
    expect((await act('a', { action: 'ban', reason: 'because' }, fan)).status).toBe(403);
  });
});

describe('remove, ban and unban', () => {
  it('remove takes the place away; remove of nobody is 404 not_in_queue; a reason is required (422)', async () => {
    const visitor = await waitingFan(11);
    expect((await act(visitor, { action: 'remove' })).status).toBe(422);
    expect((await act(visitor, { action: 'remove', reason: 'x' })).status).toBe(422);
    const r = await act(visitor, { action: 'remove', reason: 'asked to leave by phone' });
    expect(r.body).toMatchObject({ before: 'waiting', changed: true });
    expect(await w.ctx.redis.zscore(queueKeys(sale()).waiting, visitor)).toBeNull();
    expect(await w.ctx.redis.hexists(queueKeys(sale()).banned, visitor)).toBe(0);
    const none = await act(visitor, { action: 'remove', reason: 'asked to leave by phone' });
    expect([none.status, none.body.code]).toEqual([404, 'not_in_queue']);
    const noPass = await act(await waitingFan(12), { action: 'revoke_pass', reason: 'no pass yet' });
    expect([noPass.status, noPass.body.code]).toEqual([409, 'no_pass']);
  });

  it('ban by visitor and account: the account\'s other visitors are banned too, its checkout is refused, unban lifts both', async () => {
    const fanSession = await fanToken(w.deps);
    const account = JSON.parse(Buffer.from(fanSession.split('.')[1]!, 'base64url').toString()) as { sub: string; email: string };
    const first = await admittedFan();
    const second = await admittedFan();
    await orderOf(second.jti, { email: account.email, userId: account.sub });
    const r = await act(first.visitorId, { action: 'ban', reason: 'bot farm', accountEmail: account.email });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ before: 'admitted', revokedJti: first.jti, account: { id: account.sub }, alsoBanned: [second.visitorId] });
    const k = queueKeys(sale());
    expect(await w.ctx.redis.hexists(k.banned, first.visitorId)).toBe(1);
    expect(await w.ctx.redis.hexists(k.banned, second.visitorId)).toBe(1);
    expect(await w.ctx.redis.hexists(k.bannedAccounts, account.sub)).toBe(1);
    const lookup = await w.json('GET', `/v1/admin/sales/${sale()}/fans?email=${encodeURIComponent(account.email)}`, { token: admin });
    expect(lookup.body.accounts).toEqual([expect.objectContaining({ id: account.sub, banned: expect.objectContaining({ reason: 'bot farm', byEmail: adminEmail }) })]);

    // the account may not check out in this sale with any other pass
    const third = await admittedFan();
    const hold = await w.json('POST', `/v1/sales/${sale()}/holds`, { token: third.token, body: { kind: 'best', sectionId: blockA(), quantity: 1 } });
    expect(hold.status).toBe(201);
    const pay = await w.json('POST', `/v1/holds/${hold.body.holdId}/checkout`, { token: third.token, body: { email: account.email }, headers: { 'x-usher-account': fanSession } });
    expect([pay.status, pay.body.code]).toEqual([403, 'account_banned']);

    const lifted = await act(first.visitorId, { action: 'unban', reason: 'appeal accepted', accountEmail: account.email });
    expect(lifted.body).toMatchObject({ changed: true });
    expect(await w.ctx.redis.hexists(k.banned, first.visitorId)).toBe(0);
    expect(await w.ctx.redis.hexists(k.bannedAccounts, account.sub)).toBe(0);
    const bad = await act(first.visitorId, { action: 'remove', reason: 'x'.repeat(10), accountEmail: account.email });
    expect([bad.status, bad.body.code]).toEqual([422, 'validation_failed']);
  });
});

describe('the audit log', () => {
  it('records the sale controls and schedule changes with who and why, and pages newest first', async () => {
    const before = (await auditRows()).length;
    const pause = await w.json('POST', `/v1/admin/sales/${sale()}/controls`, { token: admin, body: { action: 'pause' }, headers: { 'x-usher-reason': 'stage not ready' } });
    expect(pause.status).toBe(200);
    expect((await w.json('POST', `/v1/admin/sales/${sale()}/controls`, { token: admin, body: { action: 'set_rate', ratePerMin: 300 } })).status).toBe(200);
    expect((await w.json('POST', `/v1/admin/sales/${sale()}/controls`, { token: admin, body: { action: 'set_mode', mode: 'random' } })).status).toBe(200);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await w.json('POST', `/v1/admin/sales/${sale()}/schedule`, { token: admin, body: { add: [{ at, control: { action: 'set_rate', ratePerMin: 50 } }] } })).status).toBe(200);
    expect((await w.json('POST', `/v1/admin/sales/${sale()}/schedule`, { token: admin, body: {} })).status).toBe(200); // a read: not recorded
    const rows = (await auditRows()).slice(before);
    expect(rows.map((r) => [r.action, r.reason, r.actor_email])).toEqual([
      ['control.pause', 'stage not ready', adminEmail], ['control.set_rate', null, adminEmail], ['control.set_mode', null, adminEmail], ['schedule.change', null, adminEmail],
    ]);

    const page1 = await w.json('GET', `/v1/admin/sales/${sale()}/audit?limit=2`, { token: admin });
    expect(page1.status).toBe(200);
    expect(page1.body.entries.map((e: { action: string }) => e.action)).toEqual(['schedule.change', 'control.set_mode']);
    expect(page1.body.entries[0]).toMatchObject({ via: 'api', actor: { email: adminEmail }, detail: { change: { add: [{ at }] } } });
    const page2 = await w.json('GET', `/v1/admin/sales/${sale()}/audit?limit=2&before=${page1.body.nextBefore}`, { token: admin });
    expect(page2.body.entries.map((e: { action: string }) => e.action)).toEqual(['control.set_rate', 'control.pause']);
    expect((await w.json('GET', `/v1/admin/sales/${sale()}/audit?limit=0`, { token: admin })).status).toBe(400);
    await w.json('POST', `/v1/admin/sales/${sale()}/controls`, { token: admin, body: { action: 'resume' } });
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are refused, even for the table\'s owner', async () => {
    const n = (await auditRows()).length;
    expect(n).toBeGreaterThan(0);
    await expect(w.db.pool.query(`UPDATE operator_audit SET reason = 'rewritten'`)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(w.db.pool.query(`DELETE FROM operator_audit`)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(w.db.pool.query(`TRUNCATE operator_audit`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    expect(await auditRows()).toHaveLength(n);
    expect((await auditRows()).some((r) => r.reason === 'rewritten')).toBe(false);
  });

  it('an action PostgreSQL cannot record does not run', async () => {
    const visitor = await waitingFan(21);
    // the audit insert is refused (as a full disk or a lost connection would refuse it)
    await w.db.pool.query(`ALTER TABLE operator_audit ADD CONSTRAINT test_refuse CHECK (action <> 'fan.remove') NOT VALID`);
    try {
      const r = await act(visitor, { action: 'remove', reason: 'will not be recorded' });
      expect(r.status).toBe(500);
    } finally {
      await w.db.pool.query(`ALTER TABLE operator_audit DROP CONSTRAINT test_refuse`);
    }
    expect(await w.ctx.redis.zscore(queueKeys(sale()).waiting, visitor)).toBe('21');
    // a refused action (nothing to remove) is an attempt followed by its failure, with the code
    const before = (await auditRows()).length;
    expect((await act('nobody-at-all', { action: 'remove', reason: 'not there' })).status).toBe(404);
    expect((await auditRows()).slice(before).map((r) => r.action)).toEqual(['fan.remove', 'fan.remove.failed']);
    const failed = await w.db.pool.query(`SELECT detail FROM operator_audit WHERE sale_id = $1 AND action = 'fan.remove.failed' AND visitor_id = 'nobody-at-all'`, [sale()]);
    expect(failed.rows[0].detail).toMatchObject({ error: 'not_in_queue' });
  });
});
