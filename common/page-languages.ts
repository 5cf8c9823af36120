/**
 * The languages of the fan pages, written once for both ports (the API's pages and the edge's
 * waiting room): each has a catalog `checkout/pages/static/brand/i18n-<code>.js`, and a page that
 * says `<!--usher:languages-->` (or `<!--usher:languages defer-->` in its head) gets a script tag
 * per catalog, then i18n.js, which applies them. A new language is its catalog, its entry in
 * i18n.js's list of names, and this list.
 */
export const LANGUAGES = ['en', 'es', 'fr', 'de', 'ja'] as const;

export function withLanguageScripts(html: string): string {
  return html.replace(/^([ \t]*)<!--usher:languages( defer)?-->$/gm, (_, indent: string, defer: string | undefined) =>
    [...LANGUAGES.map((l) => `i18n-${l}.js`), 'i18n.js'].map((f) => `${indent}<script src="/assets/brand/${f}"${defer ?? ''}></script>`).join('\n'));
}
