/**
 * What a fan's page says about the sale it is on: the event's name, date and venue, whether the
 * sale had a pre-queue (so the page shows the opening draw only then), and the organiser's
 * branding. One read shared by the edge (waiting room) and the API (checkout, order); public data
 * only, of published sales only.
 */
import { z } from 'zod';
import type { PgPool } from '../common/postgres-pool.js';

const HEX = /^#[0-9a-fA-F]{6}$/;
/** A logo is an https address or a path on the site; never javascript:, data: or http. */
const logoUrl = z.string().max(500).refine((u) => /^https:\/\/[^\s"'<>]+$/.test(u) || /^\/[^\s"'<>/\\][^\s"'<>]*$/.test(u), 'use an https:// address or a path starting with /');

export const brandingSchema = z.object({
  logoUrl: logoUrl.optional(),
  /** the buttons and the progress bar */
  accentColor: z.string().regex(HEX, 'use a colour like #3a5bd9').optional(),
  /** the band behind the event's name */
  bannerColor: z.string().regex(HEX, 'use a colour like #3a5bd9').optional(),
  /** one line over the event's name, e.g. "The 2027 tour presale" */
  headline: z.string().trim().max(120).optional(),
  /** the organiser's message, Markdown (a safe subset: paragraphs, **bold**, *italic*, links, lists); shown as text, never as HTML */
  messageMarkdown: z.string().max(4000).optional(),
}).strict();
export type Branding = z.infer<typeof brandingSchema>;

export const salePageSchema = z.object({
  saleId: z.string(),
  eventId: z.string(),
  title: z.string(),
  startsAt: z.string().describe('ISO 8601'),
  venue: z.object({ name: z.string(), city: z.string(), timezone: z.string() }),
  /** the sale had a pre-queue window (its arrivals were drawn at opening) */
  hadPrequeue: z.boolean(),
  opensAt: z.string(),
  closesAt: z.string(),
  status: z.string(),
  branding: brandingSchema,
});
export type SalePage = z.infer<typeof salePageSchema>;

interface Row {
  id: string; event_id: string; title: string; starts_at: Date; venue_name: string; city: string; timezone: string;
  prequeue_opens_at: Date; opens_at: Date; closes_at: Date; status: string; branding: unknown;
}

/** The page facts of a published sale, or null (unknown, or still a draft). */
export async function readSalePage(pg: PgPool, saleId: string): Promise<SalePage | null> {
  const { rows } = await pg.query<Row>(
    `SELECT s.id, s.event_id, e.title, e.starts_at, e.venue_name, e.city, v.timezone, s.prequeue_opens_at, s.opens_at, s.closes_at, s.status, s.branding
       FROM sales s JOIN events e ON e.id = s.event_id JOIN venues v ON v.id = e.venue_id
      WHERE s.id = $1 AND s.status <> 'draft'`,
    [saleId],
  );
  const r = rows[0];
  if (!r) return null;
  const branding = brandingSchema.safeParse(r.branding ?? {});
  return {
    saleId: r.id, eventId: r.event_id, title: r.title, startsAt: r.starts_at.toISOString(),
    venue: { name: r.venue_name, city: r.city, timezone: r.timezone },
    hadPrequeue: r.prequeue_opens_at.getTime() < r.opens_at.getTime(),
    opensAt: r.opens_at.toISOString(), closesAt: r.closes_at.toISOString(), status: r.status,
    branding: branding.success ? branding.data : {},
  };
}
