/**
 * One server span per API request (tracing on; off, this middleware only calls next()). Its
 * parent: a `traceparent` header when the caller sends one, else the admission pass's `tp` claim
 * (admission/admission-pass.ts), so every request made with a fan's pass joins the trace that began
 * at the fan's join on the edge, whatever the page or app in between forwards. The claim is read
 * before the pass is verified (the verification is the route's): trace context is a correlation,
 * never an authority, and W3C treats an incoming traceparent as untrusted input alike.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { decodeJwt } from 'jose';
import { bearerToken } from '../../common/bearer-token.js';
import { SpanKind, contextFrom, failSpan, inSpan, startSpan, tracingEnabled } from '../../common/tracing.js';

function passTraceparent(authorization: string | undefined): string | undefined {
  const token = bearerToken(authorization);
  if (!token || token.length > 4096) return undefined;
  try {
    const tp = decodeJwt(token).tp;
    return typeof tp === 'string' ? tp : undefined;
  } catch {
    return undefined;
  }
}

const tracedRequest: MiddlewareHandler = async function tracedRequest(c, next) {
  const parent = contextFrom(c.req.header('traceparent'), c.req.header('tracestate')) ?? contextFrom(passTraceparent(c.req.header('authorization')));
  const method = c.req.method;
  const span = startSpan(method, { kind: SpanKind.SERVER, parent, attributes: { 'http.request.method': method, 'url.path': c.req.path } });
  try {
    await inSpan(span, next);
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    const route = routePath(c, -1);
    span?.updateName(`${method} ${route}`);
    span?.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status });
    if (c.res.status >= 500) failSpan(span, c.error ?? new Error(`HTTP ${c.res.status}`));
    span?.end();
  }
};

export function httpTracing(): MiddlewareHandler {
  // tracing off: a plain pass-through (no async frame, no promise of its own per request)
  return function traceRequest(c, next) {
    return tracingEnabled() ? tracedRequest(c, next) : next();
  };
}

