/**
 * Serves the fan and organiser pages: plain HTML/CSS/JS files read once at start-up, the files
 * every page shares (static/brand/: the stylesheet, the header, common scripts, the favicon), plus
 * the uPlot chart library straight from node_modules (no CDN, no build step). Every script is a
 * file on this origin, so the pages run under a strict Content-Security-Policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { Problem } from '../../common/problem.js';
import { LANGUAGES, withLanguageScripts } from '../../common/page-languages.js';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml',
};
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Asset { body: string; type: string; etag: string }

function asset(path: string | URL, transform: (body: string) => string = (b) => b): Asset {
  const body = transform(readFileSync(path, 'utf8'));
  const ext = String(path).split('.').pop() ?? '';
  return { body, type: TYPES[ext] ?? 'application/octet-stream', etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 20)}"` };
}

const brandDir = new URL('./static/brand/', import.meta.url);
let headers: Record<string, string> | undefined;

/**
 * One header for every page, written once: a page says `<!--usher:header fan-->` (or `admin`) and
 * gets static/brand/header-<kind>.html there, so the navigation works before any script runs.
 */
export function withSiteHeader(html: string): string {
  headers ??= { fan: readFileSync(new URL('header-fan.html', brandDir), 'utf8'), admin: readFileSync(new URL('header-admin.html', brandDir), 'utf8') };
  return html.replace(/<!--usher:header (fan|admin)-->/, (_, kind: string) => headers![kind]!.trim());
}

/**
 * A part several pages of one folder share, written once: `<!--usher:part NAME-->` becomes
 * NAME.html of the page's folder, indented as the marker is (the dashboard and the console's sale
 * page carry the same live controls this way).
 */
export function withPageParts(html: string, dir: URL): string {
  return html.replace(/^([ \t]*)<!--usher:part ([a-z0-9-]+)-->$/gm, (_, indent: string, name: string) =>
    readFileSync(new URL(`${name}.html`, dir), 'utf8').trimEnd().split('\n').map((line) => indent + line).join('\n'));
}

export interface StaticPagesSpec {
  /** Folder of the files, relative to this module's URL (works from source and from dist/). */
  folder: string;
  /** Route → HTML file in the folder. */
  pages: Record<string, string>;
  /** URL prefix the folder's other files are served under, e.g. /assets/fan */
  assetPrefix: string;
  assets: string[];
}

export function staticPages(spec: StaticPagesSpec): Hono {
  const dir = new URL(`./static/${spec.folder}/`, import.meta.url);
  const router = new Hono();
  const send = (a: Asset, cache: string, ifNoneMatch: string | undefined, extra: Record<string, string> = {}): Response =>
    ifNoneMatch === a.etag
      ? new Response(null, { status: 304, headers: { etag: a.etag, 'cache-control': cache } })
      : new Response(a.body, { status: 200, headers: { 'content-type': a.type, etag: a.etag, 'cache-control': cache, ...extra } });
  for (const [route, file] of Object.entries(spec.pages)) {
    const page = asset(new URL(file, dir), (html) => withPageParts(withLanguageScripts(withSiteHeader(html)), dir));
    router.get(route, (c) => send(page, 'no-cache', c.req.header('if-none-match'), {
      'content-security-policy': PAGE_CSP, 'referrer-policy': 'same-origin', 'x-content-type-options': 'nosniff',
    }));
  }
  const files = new Map(spec.assets.map((f) => [f, asset(new URL(f, dir))]));
  router.get(`${spec.assetPrefix}/:file`, (c) => {
    const a = files.get(c.req.param('file'));
    if (!a) throw new Problem(404, 'not_found', 'no such file');
    return send(a, 'public, max-age=300', c.req.header('if-none-match'), { 'x-content-type-options': 'nosniff' });
  });
  return router;
}

/** The fan pages' languages (i18n.js and a catalog per language), the Markdown renderer and the branding script are shared with the edge's page. */
const BRAND_FILES = ['usher.css', 'common.js', 'site.js', 'favicon.svg', 'i18n.js', 'markdown.js', 'branding.js', ...LANGUAGES.map((l) => `i18n-${l}.js`)];

/**
 * The shared files, under /assets/brand/, and the favicon at the root. Each page router mounts it,
 * because the checkout and organiser pages are also served alone (tests, a checkout-only API).
 */
export function brandAssets(): Hono {
  const router = staticPages({ folder: 'brand', pages: {}, assetPrefix: '/assets/brand', assets: [...BRAND_FILES] });
  const icon = asset(new URL('favicon.svg', brandDir));
  const favicon = (): Response => new Response(icon.body, { headers: { 'content-type': icon.type, etag: icon.etag, 'cache-control': 'public, max-age=86400' } });
  router.get('/favicon.svg', favicon);
  // what a browser asks for when a page (a JSON answer, say) names no icon
  router.get('/favicon.ico', favicon);
  return router;
}

/** uPlot from node_modules: the library and its stylesheet. Missing, the dashboard still shows its figures, without charts. */
export function vendorAssets(onMissing: (err: Error) => void = () => undefined): Hono {
  const require = createRequire(import.meta.url);
  const files = new Map<string, Asset>();
  try {
    files.set('uplot.js', asset(require.resolve('uplot/dist/uPlot.iife.min.js')));
    files.set('uplot.css', asset(require.resolve('uplot/dist/uPlot.min.css')));
  } catch (err) {
    onMissing(err as Error);
  }
  const router = new Hono();
  router.get('/assets/vendor/:file', (c) => {
    const a = files.get(c.req.param('file'));
    if (!a) throw new Problem(404, 'not_found', 'no such file');
    return c.body(a.body, 200, { 'content-type': a.type, etag: a.etag, 'cache-control': 'public, max-age=86400' });
  });
  return router;
}
