/**
 * Interactive API docs at `/docs`: Swagger UI (@hono/swagger-ui) reading `/openapi.json`. Its
 * script and stylesheet are served from node_modules (swagger-ui-dist) on this origin, so the page
 * works offline and fetches nothing from a CDN (@hono/swagger-ui would load them from jsDelivr).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';
import { Problem } from '../../common/problem.js';

const ASSET_BASE = '/docs/assets';
const FILES: Record<string, string> = { 'swagger-ui-bundle.js': 'text/javascript; charset=utf-8', 'swagger-ui.css': 'text/css; charset=utf-8' };

export function apiDocsRoutes(onMissing: (err: Error) => void): Hono {
  const require = createRequire(import.meta.url);
  const files = new Map<string, string>();
  try {
    for (const name of Object.keys(FILES)) files.set(name, readFileSync(require.resolve(`swagger-ui-dist/${name}`), 'utf8'));
  } catch (err) {
    onMissing(err as Error);
  }
  const router = new Hono();
  // @hono/swagger-ui asks for `${baseUrl}/swagger-ui-dist/<file>`
  // validatorUrl 'none': Swagger UI would otherwise send the document to validator.swagger.io
  router.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: ASSET_BASE, title: 'Usher API', validatorUrl: 'none' }));
  router.get(`${ASSET_BASE}/swagger-ui-dist/:file`, (c) => {
    const name = c.req.param('file');
    const body = files.get(name);
    if (body === undefined) throw new Problem(404, 'not_found', 'no such file');
    return c.body(body, 200, { 'content-type': FILES[name]!, 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' });
  });
  return router;
}
