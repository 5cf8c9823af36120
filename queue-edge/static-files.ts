/**
 * The waiting-room page: static HTML/CSS/JS from `static/`, read once at start-up (a missing file
 * fails the boot, not a fan's request) and served from memory. `/sales/:sale` is the page itself;
 * it reads the sale id from its own address. The site's shared brand files (the favicon, the
 * language catalogs and their script) are served from the one copy in checkout/pages/static/brand/,
 * read from disk as files (not imported), so both ports show the same icon and words.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { replyTo } from './http-reply.js';
import { problems, type EdgeRouteDoc } from './edge-openapi.js';
import { saleIdSchema } from './edge-http-schemas.js';
import { withLanguageScripts } from '../common/page-languages.js';

export const staticDocs: readonly EdgeRouteDoc[] = [
  {
    method: 'get', path: '/sales/:sale', tag: 'pages', params: { sale: saleIdSchema }, summary: 'the waiting-room page (it reads the sale id from its own address)',
    responses: { 200: { description: 'HTML', contentType: 'text/html; charset=utf-8' } },
  },
  {
    method: 'get', path: '/favicon.svg', tag: 'pages', summary: "the site's icon (the same file as the API's)",
    responses: { 200: { description: 'SVG', contentType: 'image/svg+xml' } },
  },
  {
    method: 'get', path: '/favicon.ico', tag: 'pages', summary: 'the same icon, where a browser asks for it unprompted',
    responses: { 200: { description: 'SVG', contentType: 'image/svg+xml' } },
  },
  {
    method: 'get', path: '/assets/brand/:file', tag: 'pages', summary: "the site's shared files: language catalogs and the script that applies them, the Markdown renderer",
    responses: { 200: { description: 'the file' }, ...problems(404) },
  },
  {
    method: 'get', path: '/static/:file', tag: 'pages', summary: "the page's scripts, styles and images",
    responses: { 200: { description: 'the file' }, ...problems(404) },
  },
];

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

type Files = Map<string, { body: Buffer; type: string }>;

function readFolder(dir: URL, only?: (name: string) => boolean): Files {
  const files: Files = new Map();
  for (const name of readdirSync(dir)) {
    const type = types[name.split('.').pop() ?? ''];
    if (type && (!only || only(name))) files.set(name, { body: readFileSync(new URL(name, dir)), type });
  }
  return files;
}

/** The brand folder the API serves too (its pages' headers and stylesheet are the API's own; the edge takes what its page uses). */
export const BRAND_DIR = new URL('../checkout/pages/static/brand/', import.meta.url);
const EDGE_BRAND_FILES = /^(favicon\.svg|i18n\.js|markdown\.js|branding\.js|i18n-[a-z]{2}\.js)$/;

export function mountStatic(app: TemplatedApp): void {
  const files = readFolder(new URL('./static/', import.meta.url));
  const brand = readFolder(BRAND_DIR, (name) => EDGE_BRAND_FILES.test(name));
  const icon = brand.get('favicon.svg');
  if (!icon) throw new Error('checkout/pages/static/brand/favicon.svg is missing: the build must copy static assets (scripts/copy-assets.mjs)');
  const page = files.get('waiting-room.html');
  if (!page) throw new Error('queue-edge/static/waiting-room.html is missing: the build must copy static assets (scripts/copy-assets.mjs)');

  const pageHtml = withLanguageScripts(page.body.toString('utf8'));
  app.get('/sales/:sale', (res) => {
    replyTo(res).send(200, pageHtml, { 'content-type': page.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
  });
  const serveFrom = (folder: Files) => (res: HttpResponse, req: HttpRequest) => {
    const file = folder.get(req.getParameter(0) ?? '');
    const reply = replyTo(res);
    if (!file) return reply.json(404, { type: 'https://usher.dev/problems/not_found', title: 'Not Found', status: 404 }, { 'content-type': 'application/problem+json' });
    reply.send(200, file.body.toString('utf8'), { 'content-type': file.type, 'cache-control': 'public, max-age=300', ...SECURITY_HEADERS });
  };
  app.get('/static/:file', serveFrom(files));
  app.get('/assets/brand/:file', serveFrom(brand));
  const favicon = (res: HttpResponse) => replyTo(res).send(200, icon.body.toString('utf8'), { 'content-type': icon.type, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
  app.get('/favicon.svg', favicon);
  app.get('/favicon.ico', favicon);
}
