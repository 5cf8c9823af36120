/** The page assembly: shared parts put in where a page names them, so pages written once stay whole. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PAGE_CSP, withPageParts } from './static-pages.js';
import { brandingSchema } from '../../admission/sale-page.js';
import { LANGUAGES, withLanguageScripts } from '../../common/page-languages.js';

describe('withPageParts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'usher-parts-'));
  writeFileSync(join(dir, 'controls.html'), '<h2>Live</h2>\n<p id="x"></p>\n');
  const url = pathToFileURL(`${dir}/`);

  it('puts the part where the page names it, at the marker\'s indent', () => {
    const page = '<main>\n    <!--usher:part controls-->\n</main>\n';
    expect(withPageParts(page, url)).toBe('<main>\n    <h2>Live</h2>\n    <p id="x"></p>\n</main>\n');
  });

  it('refuses a page that names a part the folder does not have (at start-up, not as a broken page)', () => {
    expect(() => withPageParts('  <!--usher:part missing-->\n', url)).toThrow(/missing\.html/);
  });

  it('leaves a page without markers as it is', () => {
    expect(withPageParts('<p>usher:part controls</p>', url)).toBe('<p>usher:part controls</p>');
  });

  it('the organiser pages that share the live controls get them in full', () => {
    const admin = new URL('./static/admin/', import.meta.url);
    for (const file of ['dashboard.html', 'console-sale.html']) {
      const html = withPageParts(readFileSync(new URL(file, admin), 'utf8'), admin);
      expect(html, file).not.toContain('usher:part');
      for (const id of ['rate-form', 'max-form', 'mode-form', 'pow-form', 'message-form', 'pause', 'resume', 'close', 'control-result']) expect(html, `${file} #${id}`).toContain(`id="${id}"`);
    }
  });
});

describe('withLanguageScripts', () => {
  const tags = (html: string) => [...html.matchAll(/<script src="\/assets\/brand\/([^"]+)"( defer)?><\/script>/g)].map((m) => m[1] + (m[2] ?? ''));

  it('puts a catalog per language, then the script that applies them, at the marker\'s indent', () => {
    expect(tags(withLanguageScripts('<body>\n  <!--usher:languages-->\n</body>'))).toEqual([...LANGUAGES.map((l) => `i18n-${l}.js`), 'i18n.js']);
    expect(withLanguageScripts('  <!--usher:languages defer-->')).toMatch(/^ {2}<script src="\/assets\/brand\/i18n-en\.js" defer><\/script>\n {2}</);
  });

  it('every page that shows translated words names the languages, and each catalog it names is a brand file', () => {
    const pages = ['checkout/checkout.html', 'checkout/order.html', 'fan/account.html', 'fan/event.html', 'fan/events.html', 'fan/orders.html', '../../../queue-edge/static/waiting-room.html'];
    for (const page of pages) {
      const html = withLanguageScripts(readFileSync(new URL(`./static/${page}`, import.meta.url), 'utf8'));
      expect(html, page).not.toContain('usher:languages');
      const named = tags(html).map((t) => t.replace(' defer', '')).filter((f) => f.startsWith('i18n'));
      expect(named, page).toEqual([...LANGUAGES.map((l) => `i18n-${l}.js`), 'i18n.js']);
      for (const f of named) expect(() => readFileSync(new URL(`./static/brand/${f}`, import.meta.url)), f).not.toThrow();
    }
  });
});

describe('the pages\' content security policy', () => {
  // the console previews the sale's branding and the order page shows it: a logo the branding
  // schema accepts must not be blocked by the page it is shown on
  const imgSources = (PAGE_CSP.split(';').map((d) => d.trim().split(/\s+/)).find(([name]) => name === 'img-src') ?? []).slice(1);
  it.each(['https://cdn.example.com/brand/logo.png', '/favicon.svg'])('lets through a logo the branding accepts: %s', (logoUrl) => {
    expect(brandingSchema.parse({ logoUrl }).logoUrl).toBe(logoUrl);
    expect(imgSources).toContain(logoUrl.startsWith('https:') ? 'https:' : "'self'");
  });
});
