// Winston JSON logger: every line carries the request context; secrets are redacted before output.
import winston from 'winston';
import { currentContext } from './context';

export type Logger = winston.Logger;

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential/i;
const REDACTED = '[REDACTED]';

/** Deep-copies plain data, replacing values under secret-looking keys. Bounded depth keeps it cheap. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

const withContext = winston.format((info) => {
  const ctx = currentContext();
  if (ctx) {
    info.correlationId ??= ctx.correlationId;
    if (ctx.userId) info.userId ??= ctx.userId;
    if (ctx.studioId) info.studioId ??= ctx.studioId;
  }
  return info;
});

const redactSecrets = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message') continue;
    info[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
  }
  return info;
});

export function createLogger(options: { level: string; service: string; stream?: NodeJS.WritableStream }): Logger {
  return winston.createLogger({
    level: options.level === 'silent' ? 'error' : options.level,
    silent: options.level === 'silent',
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      withContext(),
      redactSecrets(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Console()],
  });
}
