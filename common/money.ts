/**
 * Amounts are integers in the currency's minor unit (cents; yen have none, dinars three), as Stripe
 * takes them. The number of decimals comes from the currency (ISO 4217, through Intl), never an
 * assumed 100.
 */
/** resolvedOptions() builds a fresh object each call (3 % of the worker's CPU, one call per amount in a mail): once per currency */
const unitDigits = new Map<string, number>();

export function minorUnitDigits(currency: string): number {
  let digits = unitDigits.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    unitDigits.set(currency, digits);
  }
  return digits;
}

export function formatMoney(minor: number, currency: string, locale = 'en-GB'): string {
  const digits = minorUnitDigits(currency);
  return format(`${currency} ${locale}`, 'money', () => new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits })).format(minor / 10 ** digits);
}

/** A date and time to the minute, as fans read it in a message: "Sat 12 Dec 2026, 20:00 UTC". */
export function formatEventTime(iso: string | Date, timeZone = 'UTC', locale = 'en-GB'): string {
  const d = new Date(iso);
  const day = format(`${timeZone} ${locale}`, 'day', () => new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone })).format(d).replace(/,/g, '');
  const time = format(`${timeZone} ${locale}`, 'time', () => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })).format(d);
  return `${day}, ${time} ${timeZone}`;
}

/**
 * Intl formatters are costly to build (a locale lookup each: they were a tenth of the worker's CPU
 * with a confirmation mail per order) and immutable: one per currency, locale and time zone.
 */
const formatters = new Map<string, Intl.NumberFormat & Intl.DateTimeFormat>();
function format<F extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, kind: string, build: () => F): F {
  const k = `${kind} ${key}`;
  let f = formatters.get(k) as F | undefined;
  if (!f) {
    f = build();
    formatters.set(k, f as Intl.NumberFormat & Intl.DateTimeFormat);
  }
  return f;
}

/** "1 ticket", "2 tickets". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
