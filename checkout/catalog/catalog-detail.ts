/**
 * One event for its page: venue, sections, price tiers and its sales with live availability.
 * The Postgres part and each sale's Redis availability are cached briefly per process (see
 * common/ttl-cache.ts); a sale whose pools are not built yet simply has no availability.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import type { Availability } from '../../inventory/inventory-api.js';
import { createTtlCache } from '../../common/ttl-cache.js';
import { RATING_AVERAGE } from './reviews.js';

export interface EventDetail {
  id: string;
  title: string;
  description: string;
  performer: string;
  category: string;
  city: string;
  startsAt: string;
  status: string;
  currency: string;
  refundCutoffS: number;
  venue: { id: string; name: string; city: string; address: string | null; timezone: string };
  sections: { id: string; name: string; kind: string; tierCode: string | null; capacity: number }[];
  tiers: { code: string; name: string; priceMinor: number }[];
  sales: SaleSummary[];
  /** the visible reviews' average (one decimal, null without any) and count */
  rating: { average: number | null; count: number };
}

export interface SaleSummary {
  id: string;
  status: string;
  prequeueOpensAt: string;
  opensAt: string;
  closesAt: string;
  perFanLimit: number;
  queueUrl: string;
  availability: Pick<Availability, 'status' | 'sections'> | null;
}

type Base = Omit<EventDetail, 'sales'> & { sales: Omit<SaleSummary, 'availability' | 'queueUrl'>[] };

async function loadEvent(pool: PgPool, id: string): Promise<Base | null> {
  // a named statement: parsed and planned once per connection, not on every page view
  const { rows } = await pool.query({
    name: 'catalog-event-detail',
    text: `SELECT e.id, e.title, e.description, e.performer, e.category, e.city, e.starts_at AS "startsAt", e.status, e.currency,
            e.refund_cutoff_s AS "refundCutoffS",
            json_build_object('average', ${RATING_AVERAGE}, 'count', coalesce(rs.review_count, 0)) AS rating,
            json_build_object('id', v.id, 'name', v.name, 'city', v.city, 'address', v.address, 'timezone', v.timezone) AS venue,
            coalesce((SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'tierCode', s.tier_code, 'capacity', s.capacity)
                      ORDER BY s.position, s.name) FROM sections s WHERE s.venue_id = e.venue_id), '[]') AS sections,
            coalesce((SELECT json_agg(json_build_object('code', t.tier_code, 'name', t.name, 'priceMinor', t.price_minor) ORDER BY t.price_minor DESC)
                      FROM event_price_tiers t WHERE t.event_id = e.id), '[]') AS tiers,
            coalesce((SELECT json_agg(json_build_object('id', sa.id, 'status', sa.status, 'prequeueOpensAt', sa.prequeue_opens_at,
                      'opensAt', sa.opens_at, 'closesAt', sa.closes_at, 'perFanLimit', sa.per_fan_limit) ORDER BY sa.opens_at)
                      FROM sales sa WHERE sa.event_id = e.id AND sa.status <> 'draft'), '[]') AS sales
     FROM events e JOIN venues v ON v.id = e.venue_id LEFT JOIN event_review_stats rs ON rs.event_id = e.id
     WHERE e.id = $1 AND e.status <> 'draft'`,
    values: [id],
  });
  const row = rows[0] as (Base & { startsAt: Date }) | undefined;
  return row ? { ...row, startsAt: row.startsAt.toISOString() } : null;
}

export interface EventDetailDeps {
  pgRead: PgPool;
  availability: (saleId: string) => Promise<Availability>;
  publicEdgeUrl: string;
  ttlMs?: number;
}

export function createEventDetailReader(deps: EventDetailDeps): (id: string) => Promise<EventDetail | null> {
  const ttlMs = deps.ttlMs ?? 2000;
  const events = createTtlCache<string, Base | null>({ ttlMs });
  const availability = createTtlCache<string, Availability | null>({ ttlMs });
  const live = (saleId: string): Promise<Availability | null> =>
    // An unpublished sale (no pools yet) or a Redis hiccup shows no figures rather than failing the page.
    availability.get(saleId, () => deps.availability(saleId).catch(() => null));
  return async function readEventDetail(id) {
    const base = await events.get(id, () => loadEvent(deps.pgRead, id));
    if (!base) return null;
    const sales = await Promise.all(
      base.sales.map(async (s) => {
        const a = s.status === 'closed' ? null : await live(s.id);
        return {
          ...s,
          queueUrl: `${deps.publicEdgeUrl}/sales/${s.id}`,
          availability: a ? { status: a.status, sections: a.sections } : null,
        };
      }),
    );
    return { ...base, sales };
  };
}
