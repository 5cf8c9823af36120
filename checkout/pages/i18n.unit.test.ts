/**
 * The fan pages' languages (static/brand/i18n-*.js and i18n.js), run as the browser runs them in a
 * bare VM context: every catalog has every key of the English one and no other, with the same
 * {placeholders}; every key a page or script asks for exists; the language is picked from the
 * fan's choice (cookie) first, then the Accept-Language list (navigator.languages), then English;
 * plurals and dates follow the chosen language.
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../common/page-languages.js';

type Catalog = Record<string, string>;
const brand = (f: string) => readFileSync(new URL(`./static/brand/${f}`, import.meta.url), 'utf8');

function catalogs(): Record<string, Catalog> {
  const window: { UsherCatalogs?: Record<string, Catalog> } = {};
  for (const l of LANGUAGES) runInNewContext(brand(`i18n-${l}.js`), { window });
  return window.UsherCatalogs!;
}

interface I18n { lang: string; t(k: string, v?: Record<string, unknown>): string; plural(n: number, k: string): string; when(iso: string, tz?: string): string; pick(list: string[]): string }
/** i18n.js in a page with these languages and cookie; no elements to fill. */
function i18n(languages: string[], cookie = ''): { api: I18n; html: { lang?: string; dir?: string } } {
  const html: { lang?: string; dir?: string } = {};
  const window: { UsherCatalogs?: Record<string, Catalog>; UsherI18n?: I18n } = { UsherCatalogs: catalogs() };
  const document = { cookie, documentElement: html, querySelectorAll: () => [], querySelector: () => null };
  runInNewContext(brand('i18n.js'), { window, document, navigator: { languages, language: languages[0] }, localStorage: { getItem: () => null, setItem: () => undefined }, Intl });
  return { api: window.UsherI18n!, html };
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('language catalogs', () => {
  const all = catalogs();
  const en = all.en!;

  it('has a catalog per language', () => {
    expect(Object.keys(all).sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every English key, no other, each a non-empty string with the same placeholders', (lang) => {
    const c = all[lang]!;
    expect(Object.keys(c).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(typeof c[key] === 'string' && c[key]!.trim() !== '', `${lang} ${key}`).toBe(true);
      // a translation may leave out {n} where its language does not say the number (one ticket); never add one
      const mine = placeholders(c[key]!);
      for (const p of mine) expect(placeholders(text), `${lang} ${key} has {${p}}`).toContain(p);
      if (!key.endsWith('.one')) expect(mine, `${lang} ${key}`).toEqual(placeholders(text));
    }
  });

  it('knows every key the pages and their scripts ask for', () => {
    const pages = ['../../../queue-edge/static/waiting-room.html', 'checkout/checkout.html', 'checkout/order.html', 'brand/header-fan.html'];
    const scripts = ['../../../queue-edge/static/waiting-room.js', 'checkout/checkout.js', 'checkout/order.js', 'checkout/seat-map.js', 'checkout/sale-head.js', 'brand/common.js'];
    const read = (f: string) => readFileSync(new URL(`./static/${f}`, import.meta.url), 'utf8');
    const asked = new Set<string>();
    for (const f of pages) {
      for (const m of read(f).matchAll(/data-i18n(?:-title)?="([^"]+)"/g)) asked.add(m[1]!);
      for (const m of read(f).matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1]!.split(';')) asked.add(pair.split(':')[1]!.trim());
    }
    for (const f of scripts) for (const m of read(f).matchAll(/\b[tT]\('([a-z][\w.]*\w)'[,)]/g)) asked.add(m[1]!);
    expect(asked.size).toBeGreaterThan(40);
    expect([...asked].filter((k) => !(k in en))).toEqual([]);
    // keys built from a state name: every state the pages can be in
    for (const s of ['connecting', 'prequeue', 'open', 'paused', 'all_held', 'sold_out', 'closed', 'offer', 'admitted', 'done', 'reconnecting', 'rejecting', 'draw']) expect(en).toHaveProperty([`room.state.${s}`]);
    for (const s of ['done', 'closed', 'sold_out', 'paused']) for (const part of ['title', 'text']) expect(en).toHaveProperty([`room.end.${s}.${part}`]);
    for (const s of ['processing', 'committed', 'confirmed', 'cancelled', 'payment_cancelled', 'payment_failed']) for (const part of ['state', 'label']) expect(en).toHaveProperty([`ord.${part}.${s}`]);
    expect(en).toHaveProperty(['room.state.removed']);
    for (const part of ['title', 'text']) expect(en).toHaveProperty([`room.end.removed.${part}`]);
    // the seat picker's plurals and seat states, the payment choices, the breakdown's rows (common.js label())
    for (const k of ['seat.holdN', 'seat.lost', 'co.held', 'ord.count']) for (const form of ['one', 'other']) expect(en).toHaveProperty([`${k}.${form}`]);
    for (const s of ['free', 'held', 'sold', 'unavailable', 'selected', 'mine']) expect(en).toHaveProperty([`seat.is.${s}`]);
    for (const g of ['stripe', 'paypal', 'demo']) expect(en).toHaveProperty([`co.gateway.${g}`]);
    for (const r of ['tickets', 'promo', 'points', 'fee', 'tax', 'taxIncluded', 'total']) expect(en).toHaveProperty([`bd.${r}`]);
  });

  // words spelt the same in some of the languages (fr Section, Total, Zoom, PayPal, de optional/Tickets, fr Points)
  const COGNATES = new Set(['Section', 'Total', 'Total:', 'Zoom', 'PayPal', 'optional', 'Tickets ({n})', 'Points ({n})']);
  it('translates every new checkout string: no catalog copies the English text, brand names aside', () => {
    const same = (lang: string) => Object.keys(en).filter((k) => /^(bd|seat|co|err)\./.test(k) && all[lang]![k] === en[k] && !COGNATES.has(en[k]!));
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) expect(same(lang), lang).toEqual([]);
  });
});

describe('the language a page shows', () => {
  it('follows Accept-Language (navigator.languages), first supported first, else English', () => {
    expect(i18n(['fr-CA', 'en-US']).api.lang).toBe('fr');
    expect(i18n(['pt-BR', 'ja']).api.lang).toBe('ja');
    expect(i18n(['pt-BR']).api.lang).toBe('en');
    const { api, html } = i18n(['de-DE']);
    expect([html.lang, html.dir]).toEqual(['de', 'ltr']);
    expect(api.t('room.title')).toBe('Sie sind im Warteraum');
  });

  it("keeps the fan's choice (cookie) over the browser's languages", () => {
    expect(i18n(['de-DE'], 'other=1; usher_lang=es').api.lang).toBe('es');
    expect(i18n(['de-DE'], 'usher_lang=xx').api.lang).toBe('de');
  });

  it("words the shared helpers' breakdown rows and field refusals in the chosen language (common.js)", () => {
    const helpers = (lang: string) => {
      const window: { UsherI18n?: I18n; Usher?: { friendly(f: string, m: string): string; problemText(p: unknown, s: number): string; breakdown(b: object): { label: string }[] } } = { UsherI18n: i18n([lang]).api };
      runInNewContext(brand('common.js'), { window, Intl });
      return window.Usher!;
    };
    const b = { currency: 'EUR', ticketCount: 2, ticketsMinor: 16_000, serviceFeeMinor: 700, taxRateBps: 2100, taxInclusive: true, taxMinor: 2900, totalMinor: 16_700 };
    expect(helpers('de').breakdown(b).map((r) => r.label)).toEqual(['Tickets (2)', 'Servicegebühr', 'Steuer 21 % (enthalten)', 'Gesamt']);
    expect(helpers('ja').breakdown(b).map((r) => r.label)).toEqual(['チケット（2）', 'サービス料', '税 21%（込み）', '合計']);
    expect(helpers('fr').friendly('email', 'Invalid email address')).toBe('Saisissez une adresse e-mail comme nom@exemple.com.');
    expect(helpers('es').friendly('quantity', 'Too small: expected number to be >=1')).toBe('Usa 1 o más.');
    expect(helpers('de').problemText({}, 503)).toBe('Etwas ist schiefgegangen (Fehler 503). Bitte erneut versuchen.');
    expect(helpers('en').friendly('email', 'received undefined')).toBe('Fill this in.');
  });

  it('counts, dates and fills placeholders in the chosen language', () => {
    expect(i18n(['en']).api.plural(1, 'ord.count')).toBe('1 ticket');
    expect(i18n(['en']).api.plural(1200, 'ord.count')).toBe('1,200 tickets');
    expect(i18n(['de']).api.plural(1200, 'ord.count')).toBe('1.200 Tickets');
    expect(i18n(['fr']).api.plural(1, 'ord.count')).toBe('1 billet');
    expect(i18n(['ja']).api.plural(3, 'ord.count')).toBe('3枚');
    expect(i18n(['es']).api.t('room.ticket', { n: '7' })).toBe('Tu número: 7');
    expect(i18n(['ja']).api.when('2027-01-02T18:30:00Z', 'Asia/Tokyo')).toMatch(/2027.*1.*3/);
    expect(i18n(['en']).api.t('no.such.key')).toBe('no.such.key');
  });
});
