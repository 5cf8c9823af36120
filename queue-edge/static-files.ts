/**
 * The waiting-room page: static HTML/CSS/JS from `static/`, read once at start-up (a missing file
 * fails the boot, not a fan's request) and served from memory. `/sales/:sale` is the page itself;
 * it reads the sale id from its own address.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import { replyTo } from './http-reply.js';
import { problems, type EdgeRouteDoc } from './edge-openapi.js';
import { saleIdSchema } from './edge-http-schemas.js';

export const staticDocs: readonly EdgeRouteDoc[] = [
  {
    method: 'get', path: '/sales/:sale', tag: 'pages', params: { sale: saleIdSchema }, summary: 'the waiting-room page (it reads the sale id from its own address)',
    responses: { 200: { description: 'HTML', contentType: 'text/html; charset=utf-8' } },
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
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
};

export function mountStatic(app: TemplatedApp): void {
  const dir = new URL('./static/', import.meta.url);
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(dir)) {
    const ext = name.split('.').pop() ?? '';
    const type = types[ext];
    if (type) files.set(name, { body: readFileSync(new URL(name, dir)), type });
  }
  const page = files.get('waiting-room.html');
  if (!page) throw new Error('queue-edge/static/waiting-room.html is missing: the build must copy static assets (scripts/copy-assets.mjs)');

  app.get('/sales/:sale', (res) => {
    replyTo(res).send(200, page.body.toString('utf8'), { 'content-type': page.type, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
  });
  app.get('/static/:file', (res, req) => {
    const file = files.get(req.getParameter(0) ?? '');
    const reply = replyTo(res);
    if (!file) return reply.json(404, { type: 'https://usher.dev/problems/not_found', title: 'Not Found', status: 404 }, { 'content-type': 'application/problem+json' });
    reply.send(200, file.body.toString('utf8'), { 'content-type': file.type, 'cache-control': 'public, max-age=300', ...SECURITY_HEADERS });
  });
}
