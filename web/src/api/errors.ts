// The API's error contract, {error:{code,message,details?,correlationId}}, as a thrown value.
export interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }>; correlationId?: string };
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Array<{ path: string; message: string }>;
  readonly correlationId?: string;
  constructor(status: number, body: unknown) {
    const e = (body as Partial<ErrorBody> | undefined)?.error;
    super(e?.message ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = e?.code ?? 'UNKNOWN';
    this.details = Array.isArray(e?.details) ? e.details : [];
    this.correlationId = e?.correlationId;
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
