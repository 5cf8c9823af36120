/**
 * A deterministic catalog of a few thousand events for the catalog tests, inserted with one
 * multi-row INSERT per table (unnest), plus a hand-made set whose ranking is known. The same
 * generator is the tests' oracle: expected ids are computed from `events`, not read back.
 */
import type { PgPool } from '../../common/postgres-pool.js';
import { stableUuid } from '../../scripts/seed-sale.js';

export interface FixtureEvent {
  id: string;
  venueId: string;
  venueName: string;
  title: string;
  performer: string;
  description: string;
  category: string;
  city: string;
  startsAt: Date;
  status: 'draft' | 'published' | 'cancelled';
  prices: number[];
}

export const CITIES = ['Amsterdam', 'Berlin', 'Paris', 'London', 'Madrid', 'Rome'];
export const CATEGORIES = ['music', 'comedy', 'sports', 'theatre', 'family'];
const PERFORMERS = ['Aurora', 'Blackbird', 'Cobalt', 'Driftwood', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Indigo', 'Juniper',
  'Kestrel', 'Lantern', 'Meadow', 'Nimbus', 'Orchid', 'Pebble', 'Quartz', 'Raven', 'Saffron', 'Thistle'];
const TOURS = ['World Tour', 'Unplugged', 'Live', 'Anniversary Show', 'Farewell Night'];
const BASE = Date.parse('2031-01-01T18:00:00Z');

export function generateCatalog(count: number, key = 'catalog'): { venues: { id: string; name: string; city: string; capacity: number }[]; events: FixtureEvent[] } {
  const venues = Array.from({ length: 12 }, (_, v) => ({
    id: stableUuid(key, 'venue', String(v)),
    name: `${['Grand', 'Royal', 'Old', 'New'][v % 4]} ${['Hall', 'Arena', 'Theatre'][v % 3]} ${v}`,
    city: CITIES[v % CITIES.length] as string,
    // venue 11 has no places at all: its events never have seats left
    capacity: v === 11 ? 0 : 100,
  }));
  const events: FixtureEvent[] = Array.from({ length: count }, (_, i) => {
    const venue = venues[i % venues.length]!;
    const performer = PERFORMERS[i % PERFORMERS.length] as string;
    return {
      id: stableUuid(key, 'event', String(i)),
      venueId: venue.id,
      venueName: venue.name,
      title: `${performer} ${TOURS[i % TOURS.length]}`,
      performer,
      description: 'An evening to remember.',
      category: CATEGORIES[i % CATEGORIES.length] as string,
      city: venue.city,
      startsAt: new Date(i % 50 === 7 ? Date.parse('2020-06-01T18:00:00Z') + i * 60_000 : BASE + i * 3 * 3_600_000),
      status: i % 97 === 5 ? 'draft' : i % 89 === 3 ? 'cancelled' : 'published',
      prices: [1000 + (i % 20) * 500, 1000 + (i % 20) * 500 + 2500],
    };
  });
  return { venues, events };
}

/** Events whose relative rank for "zephyrine" is known: title+performer > title > venue > description. */
export function rankedEvents(venue: { id: string; name: string; city: string }, key = 'catalog'): FixtureEvent[] {
  const base = { venueId: venue.id, venueName: venue.name, category: 'music', city: venue.city, status: 'published' as const, prices: [5000] };
  const at = (h: number): Date => new Date(BASE + h * 3_600_000 + 30 * 60_000);
  return [
    { ...base, id: stableUuid(key, 'z', '4'), title: 'Strings at dusk', performer: 'Quartet Nine', description: 'Zephyrine wrote the score.', startsAt: at(1) },
    { ...base, id: stableUuid(key, 'z', '1'), title: 'Zephyrine Live', performer: 'Zephyrine', description: '', startsAt: at(4) },
    { ...base, id: stableUuid(key, 'z', '3'), title: 'Late show', performer: 'Mono', description: '', venueName: 'Zephyrine Hall', startsAt: at(2) },
    { ...base, id: stableUuid(key, 'z', '2'), title: 'An evening with Zephyrine', performer: 'Guests', description: '', startsAt: at(3) },
    { ...base, id: stableUuid(key, 'z', 'draft'), title: 'Zephyrine draft', performer: 'Zephyrine', description: '', startsAt: at(5), status: 'draft' as never },
    { ...base, id: stableUuid(key, 'z', 'past'), title: 'Zephyrine 2019', performer: 'Zephyrine', description: '', startsAt: new Date('2019-01-01T00:00:00Z') },
  ];
}

export async function insertVenues(pool: PgPool, venues: { id: string; name: string; city: string; capacity: number }[]): Promise<void> {
  await pool.query(`INSERT INTO venues (id, name, city) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
    [venues.map((v) => v.id), venues.map((v) => v.name), venues.map((v) => v.city)]);
  await pool.query(
    `INSERT INTO sections (venue_id, name, kind, tier_code, capacity)
     SELECT v, 'Floor', CASE WHEN c > 0 THEN 'ga' ELSE 'reserved' END, 'GA', c FROM unnest($1::uuid[], $2::int[]) AS x(v, c)`,
    [venues.map((v) => v.id), venues.map((v) => v.capacity)],
  );
}

/** One INSERT for the events and one for their tiers, however many there are. */
export async function insertEvents(pool: PgPool, events: FixtureEvent[]): Promise<void> {
  const col = <T>(f: (e: FixtureEvent) => T): T[] => events.map(f);
  await pool.query(
    `INSERT INTO events (id, venue_id, venue_name, title, description, performer, category, city, starts_at, status)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])`,
    [col((e) => e.id), col((e) => e.venueId), col((e) => e.venueName), col((e) => e.title), col((e) => e.description),
      col((e) => e.performer), col((e) => e.category), col((e) => e.city), col((e) => e.startsAt.toISOString()), col((e) => e.status)],
  );
  const tiers = events.flatMap((e) => e.prices.map((price, k) => ({ id: e.id, code: `T${k}`, price })));
  await pool.query(
    `INSERT INTO event_price_tiers (event_id, tier_code, name, price_minor)
     SELECT id, code, code, price FROM unnest($1::uuid[], $2::text[], $3::int[]) AS x(id, code, price)`,
    [tiers.map((t) => t.id), tiers.map((t) => t.code), tiers.map((t) => t.price)],
  );
}
