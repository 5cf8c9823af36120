/**
 * Amounts are integers in the currency's minor unit (cents; yen have none, dinars three), as Stripe
 * takes them. The number of decimals comes from the currency (ISO 4217, through Intl), never an
 * assumed 100.
 */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: number, currency: string, locale = 'en-GB'): string {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(minor / 10 ** digits);
}

/** A date and time to the minute, as fans read it in a message: "Sat 12 Dec 2026, 20:00 UTC". */
export function formatEventTime(iso: string | Date, timeZone = 'UTC', locale = 'en-GB'): string {
  const d = new Date(iso);
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(d).replace(/,/g, '');
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(d);
  return `${day}, ${time} ${timeZone}`;
}

/** "1 ticket", "2 tickets". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
