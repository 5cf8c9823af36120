/**
 * Demo step: the demo event gets a service fee, its venue a tax rate, and a promo code, so the
 * checkout page shows a full price breakdown (organisers change all three on /admin/pricing).
 */
import type { DemoHookContext } from './demo-hooks.js';

export const DEMO_PROMO_CODE = 'DEMO10';

export async function priceDemoEvent(ctx: DemoHookContext): Promise<void> {
  const { pool, sale } = ctx;
  await pool.query('UPDATE events SET fee_fixed_minor = 150, fee_percent_bps = 250 WHERE id = $1', [sale.eventId]);
  await pool.query(`UPDATE venues SET country = 'NL', region = '' WHERE id = $1`, [sale.venueId]);
  await pool.query(`INSERT INTO tax_rates (country, region, rate_bps, inclusive) VALUES ('NL', '', 2100, false) ON CONFLICT DO NOTHING`);
  await pool.query(
    `INSERT INTO promo_codes (code, event_id, kind, value, max_uses, max_uses_per_buyer) VALUES ($1, $2, 'percent', 1000, 1000, 2)
     ON CONFLICT DO NOTHING`, [DEMO_PROMO_CODE, sale.eventId]);
  ctx.say(`pricing: €1.50 + 2.5% service fee per ticket, 21% VAT; promo code ${DEMO_PROMO_CODE} takes 10% off the tickets`);
}
