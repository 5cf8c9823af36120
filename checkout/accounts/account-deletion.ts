/**
 * Deleting an account, in one transaction. The organiser keeps the orders (and their payments,
 * tickets and refunds: the books must add up), but without the person: the account's orders —
 * its own and the guest orders of its verified address, the ones "my orders" lists — lose their
 * user and their e-mail (a fixed address that cannot receive mail), as do their payments and the
 * copies of their e-mails. Then the users row goes, and with it by cascade everything else that
 * is only the person's: refresh tokens (every session ends), reset links, linked sign-in
 * identities, account e-mails and reviews.
 *
 * Every foreign key to users(id) is one of the two: anonymised here, or ON DELETE CASCADE.
 * `account-deletion.test.ts` lists them from the catalog and fails on one it does not know.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import { inTransaction } from '../../common/postgres-pool.js';

/** What an erased person's orders keep as their e-mail (RFC 2606: .invalid never receives mail). */
export const ERASED_EMAIL = 'erased@deleted.invalid';
const ERASED_TEXT = '[erased with the account]';

export interface DeletionSummary {
  orders: number;
}

/** Null when there is no such account (already deleted). */
export async function deleteAccount(pool: PgPool, userId: string): Promise<DeletionSummary | null> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ email: string; verified: boolean }>(
      'SELECT email, email_verified_at IS NOT NULL AS verified FROM users WHERE id = $1 FOR UPDATE', [userId]);
    const user = rows[0];
    if (!user) return null;
    // the verified address owns its guest orders (my-orders.ts); an unverified one owns none
    const address = user.verified ? user.email : null;
    const orders = await client.query<{ id: string }>(
      `UPDATE orders SET user_id = NULL, email = $3, updated_at = now()
       WHERE user_id = $1 OR ($2::text IS NOT NULL AND lower(email) = lower($2)) RETURNING id`, [userId, address, ERASED_EMAIL]);
    const ids = orders.rows.map((r) => r.id);
    await client.query(
      `UPDATE payments SET user_id = NULL, email = $4, updated_at = now()
       WHERE user_id = $1 OR order_id = ANY($3::text[]) OR ($2::text IS NOT NULL AND order_id IS NULL AND lower(email) = lower($2))`,
      [userId, address, ids, ERASED_EMAIL]);
    await client.query(`UPDATE notifications SET recipient = $2, body = $3 WHERE order_id = ANY($1::text[])`, [ids, ERASED_EMAIL, ERASED_TEXT]);
    // the price fixed at checkout names the buyer; promo uses count a guest by address
    await client.query(
      `UPDATE hold_prices SET user_id = NULL, email = $4
       WHERE user_id = $1 OR hold_id = ANY($3::text[]) OR ($2::text IS NOT NULL AND lower(email) = lower($2))`,
      [userId, address, ids, ERASED_EMAIL]);
    await client.query(`UPDATE promo_redemptions SET buyer = $3 WHERE buyer = $1::text OR ($2::text IS NOT NULL AND buyer = lower($2))`,
      [userId, address, ERASED_EMAIL]);
    // an organiser's codes stay on record with their redemptions, switched off: with no organiser a
    // live code would read as one of the operator's
    await client.query('UPDATE promo_codes SET organiser_id = NULL, disabled = true WHERE organiser_id = $1', [userId]);
    await client.query('DELETE FROM users WHERE id = $1', [userId]);
    return { orders: ids.length };
  });
}
