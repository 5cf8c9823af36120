/**
 * What `/openapi.json` adds to the routes' own declarations: the problem body every route may
 * answer with, and the credentials their `security` names. The paths themselves come from the
 * `apiRoute` declarations the feature routers mount (zod-openapi merges them into the app's).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/** Added to every route by `apiRoute`: validation, auth, limits and outages answer with a problem. */
export const problemResponses = {
  default: { description: 'A problem (RFC 9457): validation_failed, unsupported_media_type, malformed_json, body_required, body_too_large, auth and domain codes, dependency_down', content: { 'application/problem+json': { schema: PROBLEM_REF } } },
} as const;

const problemSchema = {
  type: 'object' as const,
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' as const }, title: { type: 'string' as const }, status: { type: 'integer' as const },
    detail: { type: 'string' as const }, code: { type: 'string' as const },
    errors: {
      type: 'array' as const, description: 'for validation_failed: each refused field',
      items: { type: 'object' as const, required: ['path', 'message'], properties: { path: { type: 'string' as const }, message: { type: 'string' as const } } },
    },
  },
};

/** The credentials routes name in their `security` (all bearer tokens but Stripe's signature). */
export const securitySchemes = {
  pass: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'admission pass from the waiting room' },
  order_token: { type: 'http', scheme: 'bearer', description: 'signed order token (confirmation link) or account access token' },
  account: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'account access token (POST /v1/auth/login)' },
  admin: { type: 'http', scheme: 'bearer', description: 'an admin account access token, or the operator ADMIN_API_TOKEN' },
  stripe_signature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature' },
  paypal_signature: { type: 'apiKey', in: 'header', name: 'PayPal-Transmission-Sig', description: 'with the other PayPal-Transmission-* headers, verified by PayPal (verify-webhook-signature)' },
  twilio_signature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature' },
} as const;

export type SecurityScheme = keyof typeof securitySchemes;

/** `security` of a route that needs the named credential. */
export const needs = (scheme: SecurityScheme): Record<string, string[]>[] => [{ [scheme]: [] }];

/** Serves the document at /openapi.json; call after every feature router is mounted. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app's Env
export function serveOpenApiDocument(app: OpenAPIHono<any>, info: { title: string; version: string; serverUrl: string }): void {
  app.openAPIRegistry.registerComponent('schemas', 'Problem', problemSchema);
  for (const [name, scheme] of Object.entries(securitySchemes)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
  const document = () => app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: info.title, version: info.version }, servers: [{ url: info.serverUrl }] });
  // built once, on first request: the route table does not change after start-up
  let cached: ReturnType<typeof document> | undefined;
  app.get('/openapi.json', (c) => c.json((cached ??= document()) as object));
}
