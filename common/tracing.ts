/**
 * OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set. Off, the SDK is never
 * loaded and the helpers below cost one boolean test: no span objects, no context manager, the API's
 * no-op tracer is not even asked. On, one NodeTracerProvider per process (AsyncLocalStorage context,
 * W3C trace context, parent-based ratio sampling) batches spans to the collector over OTLP/HTTP.
 *
 * One fan's purchase is one trace, carried across the roles by W3C `traceparent` strings:
 *   edge join → take (the admission pass carries it in its `tp` claim) → API requests made with
 *   that pass → the PaymentIntent's metadata (`traceparent`) → the webhook → the commit job's data →
 *   the worker's commit. Redis commands and PostgreSQL queries are client spans under whatever span
 *   is active (never roots of their own: BullMQ's polling makes no traces).
 */
import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Link, type Span, type Tracer } from '@opentelemetry/api';
import type { Config } from './config.js';

export { SpanKind };
export type { Span, Context };

const TRACER = 'usher';
let enabled = false;
let tracerCache: Tracer | undefined;
let shutdownHook: (() => Promise<void>) | undefined;

/** True once a tracer provider is registered in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

function tracer(): Tracer {
  return (tracerCache ??= trace.getTracer(TRACER));
}

/** A span processor as the SDK defines it (kept structural: this module never imports the SDK statically). */
export interface SpanProcessorLike {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  onStart(span: unknown, parentContext: unknown): void;
  onEnd(span: unknown): void;
}

/**
 * Registers the SDK with `processors` (tests pass a SimpleSpanProcessor over an InMemorySpanExporter).
 * Idempotent per process: a second call keeps the first provider.
 */
export async function registerTracing(serviceName: string, processors: SpanProcessorLike[], sampleRatio = 1): Promise<void> {
  if (enabled) return;
  const [{ NodeTracerProvider }, { ParentBasedSampler, TraceIdRatioBasedSampler }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    spanProcessors: processors as never,
  });
  provider.register();
  enabled = true;
  tracerCache = undefined;
  shutdownHook = () => provider.shutdown();
}

/** The process's tracing as configured: OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, or nothing. */
export async function startTracing(config: Pick<Config, 'tracing'>, role: string): Promise<void> {
  const { endpoint, serviceName, sampleRatio } = config.tracing;
  if (!endpoint) return;
  const [{ BatchSpanProcessor }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` });
  await registerTracing(serviceName ?? `usher-${role}`, [new BatchSpanProcessor(exporter)], sampleRatio);
}

/** Flushes and stops the provider (shutdown of the process). */
export async function stopTracing(): Promise<void> {
  await shutdownHook?.().catch(() => undefined);
}

/** The W3C traceparent of `ctx` (default: the active context), or undefined when there is no span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  if (!enabled || !trace.getSpanContext(ctx)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a traceparent (and tracestate) names, or undefined for none / a malformed one. */
export function contextFrom(traceparent: string | null | undefined, tracestate?: string): Context | undefined {
  if (!enabled || !traceparent) return undefined;
  const carrier: Record<string, string> = { traceparent, ...(tracestate ? { tracestate } : {}) };
  const ctx = propagation.extract(context.active(), carrier);
  return trace.getSpanContext(ctx) ? ctx : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** the parent (default: the active context) */
  parent?: Context;
  links?: Link[];
}

/** Runs `fn` inside a new span (ended when `fn` settles, an error recorded); off: just `fn()`. */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T> | T): Promise<T> {
  if (!enabled) {
    try {
      return Promise.resolve(fn(undefined));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Starts a span that the caller ends (a request whose end is elsewhere); undefined when off. */
export function startSpan(name: string, options: SpanOptions = {}): Span | undefined {
  if (!enabled) return undefined;
  return tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links }, options.parent ?? context.active());
}

/** Runs `fn` with `span` active. */
export function inSpan<T>(span: Span | undefined, fn: () => T): T {
  if (!span) return fn();
  return context.with(trace.setSpan(context.active(), span), fn);
}

export function failSpan(span: Span | undefined, err: unknown): void {
  if (!span) return;
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** A span of a call to a dependency, only under an active span (never a root); undefined when none. */
export function startClientSpan(name: string, attributes: Attributes): Span | undefined {
  if (!enabled) return undefined;
  const active = context.active();
  if (!trace.getSpan(active)) return undefined;
  return tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, active);
}

/** A link to the active span (a span re-parented into another trace keeps where it ran), [] when none. */
export function linksToActive(): Link[] {
  if (!enabled) return [];
  const sc = trace.getActiveSpan()?.spanContext();
  return sc ? [{ context: sc }] : [];
}

/** trace_id and span_id of the active span, for log lines (common/logger.ts); {} when off or none. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  if (!enabled) return {};
  const sc = trace.getActiveSpan()?.spanContext();
  return sc ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}

/** The active span's trace id (the exemplar label of a latency observation), undefined when off. */
export function activeTraceId(): string | undefined {
  if (!enabled) return undefined;
  return trace.getActiveSpan()?.spanContext().traceId;
}
