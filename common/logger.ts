import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { activeTraceIds, tracingEnabled } from './tracing.js';

export type { Logger };

/** Paths whose values never reach a log line. */
const redactPaths = [
  'password', '*.password', 'token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization',
  'headers.authorization', 'req.headers.authorization', 'req.headers.cookie', 'clientSecret', '*.clientSecret',
  'card', '*.card', 'pass', '*.pass',
];

/** One JSON logger per process; roles derive children with `logger.child({ role })`. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid, ...base },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // trace_id / span_id of the active span (common/tracing.ts); tracing off (started before the
    // process's loggers are made, scripts/start.ts), not even a call per line
    ...(tracingEnabled() ? { mixin: activeTraceIds } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
