/** Tracing off (the default): the helpers are pass-throughs, nothing is registered, no context travels. */
import { describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import { activeTraceIds, contextFrom, startSpan, startTracing, traceparentOf, tracingEnabled, withSpan } from './tracing.js';
import { traceRedis } from './traced-clients.js';
import { loadConfig } from './config.js';

describe('tracing off', () => {
  it('stays off without OTEL_EXPORTER_OTLP_ENDPOINT, and the helpers only run the work', async () => {
    await startTracing(loadConfig({ NODE_ENV: 'test' }), 'api');
    expect(tracingEnabled()).toBe(false);
    // the API's global provider is still the no-op one: no SDK registered
    expect(trace.getTracerProvider().constructor.name).toBe('ProxyTracerProvider');
    expect(await withSpan('x', {}, (span) => (span === undefined ? 'ran' : 'span'))).toBe('ran');
    await expect(withSpan('x', {}, () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(startSpan('x')).toBeUndefined();
    expect(traceparentOf()).toBeUndefined();
    expect(contextFrom('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
    expect(activeTraceIds()).toEqual({});
  });

  it('leaves the Redis client untouched', () => {
    const redis = new Redis({ lazyConnect: true });
    const send = redis.sendCommand;
    expect(traceRedis(redis).sendCommand).toBe(send);
    redis.disconnect();
  });
});
