/**
 * The edge's `/openapi.json` lists exactly what the edge mounts: every route registered on the uWS
 * app (recorded as it is mounted) has its operation, and no operation is left for a route that is
 * gone. Real answers of the documented routes validate against the document's own schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Redis } from 'ioredis';
import { newRedis } from '../test/support/databases.js';
import { createSale, newVisitor, startTestEdge, type TestEdge } from '../test/support/edge-test-harness.js';
import { queueKeys } from '../admission/queue-keys.js';
import { openApiPath } from './edge-openapi.js';

type Operation = { requestBody?: { content: Record<string, { schema: object }> }; responses: Record<string, { content?: Record<string, { schema: object }> }> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Mounted but not an operation: the catch-all that answers 404 for every other path. */
const notOperations = new Set(['any /*']);
const methodOf: Record<string, string> = { ws: 'get', del: 'delete' };

let redis: Redis;
let edge: TestEdge;
let doc: Document;

beforeAll(async () => {
  redis = newRedis();
  edge = await startTestEdge();
  const res = await fetch(`${edge.url}/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});
afterAll(async () => {
  await edge.close();
  redis.disconnect();
});

const ajv = new Ajv2020({ strict: false });
const schemaOf = (path: string, method: string, status: number): object => {
  const content = doc.paths[path]?.[method]?.responses[String(status)]?.content;
  const schema = content && Object.values(content)[0]?.schema;
  if (!schema) throw new Error(`no ${status} schema for ${method} ${path}`);
  return schema;
};

describe("the edge's OpenAPI document", () => {
  it('has an operation for every route the edge mounts, and none for a route it does not', () => {
    expect(doc.openapi).toBe('3.1.0');
    const mounted = edge.routes
      .filter((r) => !notOperations.has(`${r.method} ${r.pattern}`))
      .map((r) => `${methodOf[r.method] ?? r.method} ${openApiPath(r.pattern)}`);
    expect(mounted.length).toBeGreaterThan(8);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(mounted.filter((m) => !documented.includes(m)), 'mounted without documentation').toEqual([]);
    expect(documented.filter((d) => !mounted.includes(d)), 'documented but not mounted').toEqual([]);
  });

  it('documents request bodies with the schemas the routes validate with', async () => {
    const controls = doc.paths['/v1/sales/{sale}/controls']!.post!.requestBody!.content['application/json']!.schema;
    expect(JSON.stringify(controls)).toContain('set_max_shoppers');
    const visitors = ajv.compile(doc.paths['/v1/visitors']!.post!.requestBody!.content['application/json']!.schema);
    expect(visitors({})).toBe(true);
    expect(visitors({ extra: 1 })).toBe(false);
    // and the route refuses what the schema refuses
    const refused = await fetch(`${edge.url}/v1/visitors`, { method: 'POST', body: '{"extra":1}' });
    expect(refused.status).toBe(422);
    expect(ajv.validate(schemaOf('/v1/visitors', 'post', 422), await refused.json())).toBe(true);
  });

  it("describes the routes' real answers", async () => {
    const saleId = await createSale(redis);
    await redis.hset(queueKeys(saleId).settings, 'paused', '1');
    const v = await newVisitor(edge.url);
    expect(ajv.validate(schemaOf('/v1/visitors', 'post', 201), v), ajv.errorsText()).toBe(true);
    const auth = { authorization: `Bearer ${v.token}` };
    const joined = await (await fetch(`${edge.url}/v1/sales/${saleId}/join`, { method: 'POST', headers: auth, body: '{}' })).json();
    expect(ajv.validate(schemaOf('/v1/sales/{sale}/join', 'post', 200), joined), ajv.errorsText()).toBe(true);
    const status = await (await fetch(`${edge.url}/v1/sales/${saleId}/status`, { headers: auth })).json();
    expect(ajv.validate(schemaOf('/v1/sales/{sale}/status', 'get', 200), status), ajv.errorsText()).toBe(true);
    const jwks = await (await fetch(`${edge.url}/.well-known/jwks.json`)).json();
    expect(ajv.validate(schemaOf('/.well-known/jwks.json', 'get', 200), jwks), ajv.errorsText()).toBe(true);
    const ready = await (await fetch(`${edge.url}/readyz`)).json();
    expect(ajv.validate(schemaOf('/readyz', 'get', 200), ready), ajv.errorsText()).toBe(true);
    const unknown = await fetch(`${edge.url}/v1/sales/no-such-sale/status`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(ajv.validate(schemaOf('/v1/sales/{sale}/status', 'get', 404), await unknown.json()), ajv.errorsText()).toBe(true);
  });
});
