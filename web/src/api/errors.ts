// The API's error contract, {error:{code,message,details?,correlationId}}, as a thrown value.
export interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }>; correlationId?: string };
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Array<{ path: string; message: string }>;
  readonly correlationId?: string;
  /** How long the server asked to wait before trying again (its Retry-After), for a 429 or 503. */
  readonly retryAfterSeconds?: number;
  constructor(status: number, body: unknown, headers?: Pick<Headers, 'get'>, now = Date.now()) {
    const e = (body as Partial<ErrorBody> | undefined)?.error;
    super(e?.message ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e?.code ?? 'UNKNOWN';
    this.details = Array.isArray(e?.details) ? e.details : [];
    this.correlationId = e?.correlationId;
    const wait = retryAfterOf(headers?.get('retry-after') ?? null, now);
    if (wait !== undefined) this.retryAfterSeconds = wait;
  }

  /** Field errors by the first segment of their path (`email`, `password`…), for the form's fields. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.details) {
      const key = String(d.path).split('.')[0] ?? '';
      out[key] ??= d.message;
    }
    return out;
  }
}

/**
 * Seconds to wait from a Retry-After value (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), at least 1;
 * undefined when absent or unreadable.
 */
export function retryAfterOf(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.max(1, Number(v));
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}

/** A wait in words ("40 seconds", "2 minutes"), never shorter than the wait. */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (s < 60) return unit(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${unit(hours, 'hour')} ${unit(rest, 'minute')}` : unit(hours, 'hour');
}
