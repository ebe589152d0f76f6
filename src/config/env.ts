// The validated configuration: the only module that reads process.env.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
/** Byte sizes accept plain integers or a unit suffix: 512kb, 20mb, 20gib, 5tib (binary units, as a quota's). */
const bytes = z.string().transform((v, ctx) => {
  const m = /^(\d+)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?$/i.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'expected a byte size such as 1048576, 1mb or 20gib' });
    return z.NEVER;
  }
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, tb: 1024 ** 4, tib: 1024 ** 4 };
  return Number(m[1]) * (mult[unit] ?? 1);
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug', 'silent']).default('info'),

  MONGO_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('studio:'),
  EMBEDDED_DATA_DIR: z.string().min(1).default('./.data'),

  JWT_ACCESS_SECRET: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('studio-api'),
  JWT_AUDIENCE: z.string().min(1).default('studio-api-clients'),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 24 * 3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),
  BCRYPT_COST: int(4, 15).default(12),
  /** The web app's refresh cookie: Secure or not; auto = Secure everywhere but NODE_ENV=development (plain http on localhost). */
  AUTH_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  /** Where the web app's production build is (served at /app/); default web/dist of this checkout. */
  WEB_DIST_DIR: z.string().min(1).optional(),

  CORS_ORIGINS: csv.default([]),
  JSON_BODY_LIMIT: bytes.default(1024 * 1024),
  /**
   * CPU time and heap the thread that parses an editorial OTIO upload may use for one file; past either the
   * upload gets 422 EDITORIAL_TOO_COMPLEX. A 10,000-shot timeline as OpenTimelineIO writes it (24 MiB) takes
   * a few hundred ms and fits in 64 MiB; any file within OTIO_MAX_JSON_VALUES in 128 (docs/performance.md).
   */
  EDITORIAL_PARSE_CPU_MS: int(10, 600_000).default(3000),
  EDITORIAL_PARSE_HEAP_MIB: int(16, 16_384).default(256),
  RATE_LIMIT_WINDOW_MS: int(1000, 3600_000).default(60_000),
  /**
   * Requests per client IP per RATE_LIMIT_WINDOW_MS that no member or API token made: those of a signed-in
   * person or a valid token count against RATE_LIMIT_MAX_PER_MEMBER or API_TOKEN_RATE_LIMIT_PER_MINUTE
   * instead, since a studio's whole office is often one address behind NAT.
   */
  RATE_LIMIT_MAX: int(1, 1_000_000).default(1200),
  /** Requests one signed-in member (all their sessions in one studio) may make per RATE_LIMIT_WINDOW_MS, across all instances. */
  RATE_LIMIT_MAX_PER_MEMBER: int(1, 1_000_000).default(1200),
  AUTH_RATE_LIMIT_WINDOW_MS: int(1000, 3600_000).default(15 * 60_000),
  /** Failed credential requests (wrong passwords, unusable links) per client IP per window, whatever the account. */
  AUTH_RATE_LIMIT_MAX_PER_IP: int(1, 100_000).default(100),
  /** Failed logins one client (IP) may make on one account per window; then that client alone gets 429. */
  AUTH_FAILURES_PER_CLIENT: int(1, 100_000).default(5),
  /** Failed logins on one account (all clients) per window after which its logins are answered late, never refused. */
  AUTH_DELAY_AFTER_FAILURES: int(1, 100_000).default(10),
  /** The first such delay; it doubles with each further failure up to AUTH_MAX_DELAY_MS. */
  AUTH_FIRST_DELAY_MS: int(1, 30_000).default(250),
  AUTH_MAX_DELAY_MS: int(1, 30_000).default(4000),
  /** Delayed logins one api process holds at once; past it they are answered without delay. */
  AUTH_MAX_DELAYED_LOGINS: int(0, 1_000_000).default(1000),
  /** Deprecated (issue 14: a per-email block let anyone lock anyone out): when set, the default of the two above. */
  AUTH_RATE_LIMIT_MAX_PER_EMAIL: int(1, 100_000).optional(),
  TRUST_PROXY: z.string().default('loopback'),

  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * The installation operator's credential for the queue dashboard at /admin/queues (Bearer, or HTTP Basic
   * with this as the password). Unset: the dashboard is not mounted at all. No studio role ever opens it.
   */
  OPERATOR_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lets the operator pause, retry, clean and remove jobs from the dashboard; read-only unless set. */
  OPERATOR_QUEUES_WRITE: bool.default(false),
  /**
   * Outgoing mail (invitations, email verification) over SMTP, e.g. smtp://user:pass@smtp.example.com:587
   * (smtps:// for implicit TLS). Required in production; elsewhere, when unset, the api starts a local mail
   * catcher that keeps every message under EMBEDDED_DATA_DIR/mail and logs its links.
   */
  SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).max(320).default('Studio API <no-reply@studio-api.localhost>'),
  MAIL_SEND_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Where people open the links in mails (the web app's origin); default http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  INVITATION_TTL_HOURS: int(1, 24 * 90).default(7 * 24),
  EMAIL_VERIFICATION_TTL_HOURS: int(1, 24 * 30).default(24),
  /**
   * Registration mail: one client (IP, IPv6 /56) gets at most one link mailed to one address per this many
   * minutes (a later request answers 429 with Retry-After; past it a new link replaces the old one).
   */
  REGISTRATION_MAIL_INTERVAL_MINUTES: int(1, 24 * 60).default(10),
  /** How long a mailed password-reset link works; short, since it sets a password (it also works only once). */
  PASSWORD_RESET_TTL_MINUTES: int(5, 24 * 60).default(60),
  /** Password resets one client (IP, IPv6 /56) may ask for per hour, whatever the addresses (one address: one per REGISTRATION_MAIL_INTERVAL_MINUTES). */
  PASSWORD_RESETS_PER_CLIENT_PER_HOUR: int(1, 1_000_000).default(20),
  /** Registrations one client (IP, IPv6 /56) may start per hour, whatever the addresses. */
  REGISTRATIONS_PER_CLIENT_PER_HOUR: int(1, 1_000_000).default(20),
  /** Registrations all clients together may start per hour (the mail server's reputation is shared). */
  REGISTRATIONS_PER_HOUR: int(1, 10_000_000).default(2000),
  /** Webhooks: http:// endpoints too (never in production unless set); CIDRs allowed despite being private (e.g. 127.0.0.1/32). */
  WEBHOOK_ALLOW_HTTP: bool.optional(),
  WEBHOOK_ALLOWED_CIDRS: csv.default([]),
  WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
  WEBHOOK_MAX_RESPONSE_BYTES: int(0, 1024 * 1024).default(4096),
  /** Retry back-off: the first delay, doubling (with jitter) up to the max, for at most the window. */
  WEBHOOK_RETRY_BASE_MS: int(10, 3600_000).default(10_000),
  WEBHOOK_RETRY_MAX_MS: int(10, 24 * 3600_000).default(3600_000),
  WEBHOOK_RETRY_WINDOW_MS: int(10, 7 * 24 * 3600_000).default(24 * 3600_000),
  /** An endpoint whose deliveries have all failed for this long is disabled and its studio told. */
  WEBHOOK_DISABLE_AFTER_MS: int(10, 30 * 24 * 3600_000).default(24 * 3600_000),
  WEBHOOK_CONCURRENCY: int(1, 256).default(8),
  /**
   * Fair use of the webhook workers: deliveries in flight for one studio across every worker (keep it below
   * the workers' total WEBHOOK_CONCURRENCY so no studio fills them), and for one endpoint (a failing one gets 1).
   */
  WEBHOOK_STUDIO_CONCURRENCY: int(1, 256).default(4),
  WEBHOOK_ENDPOINT_CONCURRENCY: int(1, 16).default(1),
  /** Endpoints a studio may register, and deliveries one endpoint may have waiting (past it, new ones are DROPPED). */
  WEBHOOK_MAX_ENDPOINTS_PER_STUDIO: int(1, 1000).default(20),
  WEBHOOK_MAX_PENDING_PER_ENDPOINT: int(1, 100_000).default(1000),
  /** The studio event log keeps this many days (GET /events, the SSE stream, webhook redelivery). */
  EVENT_RETENTION_DAYS: int(1, 3650).default(30),
  /** How often an open event stream looks for new events, and sends a heartbeat comment when idle. */
  EVENTS_POLL_MS: int(20, 60_000).default(1000),
  /** Apply pending migrations (./migrations) when the api starts; default: everywhere but production, where `npm run migrate` runs them. */
  MIGRATE_ON_START: z.enum(['true', 'false']).optional(),
  EVENTS_HEARTBEAT_MS: int(100, 600_000).default(15_000),
  /** How often an open event stream re-checks its caller (session or token, role, scopes): a revoked one ends within this. */
  EVENTS_RECHECK_MS: int(100, 600_000).default(5000),
  /** An event stream ends after this long with the position to resume from; EventSource reconnects with Last-Event-ID. */
  EVENTS_STREAM_MAX_SECONDS: int(1, 7 * 86_400).default(3600),
  /** Event streams open at once per member (a person's sessions together) or per API token, across all instances. */
  EVENTS_MAX_STREAMS_PER_MEMBER: int(1, 100_000).default(5),
  /** Socket.IO connections open at once per member or per API token, across all instances. */
  SOCKET_MAX_PER_MEMBER: int(1, 100_000).default(20),
  /** Events (asset:join, asset:comment, auth:refresh...) one socket may send per minute. */
  SOCKET_EVENTS_PER_MINUTE_PER_SOCKET: int(1, 1_000_000).default(300),
  /** Events all sockets of one member (or one API token) may send per minute, across all instances. */
  SOCKET_EVENTS_PER_MINUTE_PER_MEMBER: int(1, 1_000_000).default(1200),
  /** Socket.IO handshakes per client IP per minute: generous, since a studio's office is often one address behind NAT. */
  SOCKET_HANDSHAKES_PER_MINUTE_PER_IP: int(1, 1_000_000).default(3000),
  /** Socket.IO handshakes per member (or API token) per minute. */
  SOCKET_HANDSHAKES_PER_MINUTE_PER_MEMBER: int(1, 1_000_000).default(60),
  /** How long a socket or stream of an instance that stopped (crashed) still counts against its member's cap. */
  CONNECTION_SLOT_TTL_SECONDS: int(2, 3600).default(60),
  /** Requests one API token may make per minute, across all instances (a token's requests do not count per IP). */
  API_TOKEN_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(1200),
  /**
   * The longest an API token lives, in days from its creation: a token asks for 1..this many, and every
   * token (older ones without an expiry too) is refused once it is this old. Lowering it shortens every token at once.
   */
  API_TOKEN_MAX_DAYS: int(1, 3650).default(90),
  READY_TIMEOUT_MS: int(50, 30_000).default(1000),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(10_000),
  HTTP_HEADERS_TIMEOUT_MS: int(1000, 600_000).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: int(0, 24 * 3600_000).default(0),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1000, 600_000).default(65_000),
  HTTP_IDLE_TIMEOUT_MS: int(0, 3600_000).default(120_000),

  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  STORAGE_LOCAL_ROOT: z.string().min(1).default('./.data/storage'),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: z.url().optional(),
  /** The S3 endpoint clients reach, when it is not the api's S3_ENDPOINT: presigned URLs are signed for it. */
  S3_PUBLIC_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /**
   * Credentials that sign direct-upload part URLs only: grant them s3:PutObject on the bucket's studios/ prefix and
   * nothing else (no s3:GetObject), so a part URL can never be turned into a read (docs/security.md). Unset: the
   * S3_ACCESS_KEY_ID pair signs them.
   */
  S3_UPLOAD_SIGNER_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** Create S3_BUCKET at start-up when it is missing (development and the compose stack; production buckets are provisioned). */
  S3_CREATE_BUCKET: bool.default(false),
  MAX_UPLOAD_BYTES: bytes.default(20 * 1024 ** 3),
  /** Each studio's storage quota in logical bytes (its versions' sizes), unless the operator set its own; 0: none. */
  STORAGE_QUOTA_BYTES: bytes.default(0),
  /**
   * Per studio, quota or not: direct sessions and tus uploads in progress at once (429 past it), and the bytes they may
   * reserve together; staged bytes never exceed their reservation, so this bounds what one studio can stage on the
   * shared disk or bucket. At least MAX_UPLOAD_BYTES, so that one largest file always fits.
   */
  UPLOADS_MAX_OPEN_PER_STUDIO: int(1, 100_000).default(100),
  UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO: bytes.default(200 * 1024 ** 3),
  /** Direct uploads (S3): how long a session stays open, how long its part URLs work, how often abandoned sessions are aborted (and upload reservations swept). */
  DIRECT_UPLOAD_SESSION_HOURS: z.coerce.number().positive().max(24 * 7).default(24),
  DIRECT_UPLOAD_URL_TTL_SECONDS: int(60, 7 * 24 * 3600).default(3600),
  DIRECT_UPLOAD_SWEEP_MS: int(1000, 24 * 3600_000).default(15 * 60_000),
  /** How often each api instance sends the notification digests that are due (0: never; a digest is due hourly or daily). */
  NOTIFICATION_DIGEST_SWEEP_MS: int(0, 3600_000).default(60_000),
  /** On S3: answer version downloads with a 302 to a presigned URL this many seconds long (0: stream through the API). */
  DOWNLOAD_REDIRECT_TTL_SECONDS: int(0, 7 * 24 * 3600).default(0),
  /**
   * Storage collector: an object no version references is removed once its last claim (an upload or a
   * version made from its hash) is this old; runs every STORAGE_GC_INTERVAL_SECONDS on each api instance, one at a time (0: never).
   * The grace must outlast the gap between a commit's claim and its version insert (one insert under the asset's
   * lease), hence its floor of a minute.
   */
  STORAGE_GC_GRACE_SECONDS: int(60, 30 * 24 * 3600).default(3600),
  STORAGE_GC_INTERVAL_SECONDS: int(0, 7 * 24 * 3600).default(900),
  TUS_STAGING_DIR: z.string().min(1).default('./.data/tus'),
  TUS_EXPIRATION_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  /** With STORAGE_DRIVER=s3 tus stages in the bucket under tus/: the size of each S3 part (S3's minimum is 5 MiB). */
  TUS_S3_PART_SIZE: bytes.default(8 * 1024 ** 2).refine((n) => n >= 5 * 1024 ** 2 && n <= 5 * 1024 ** 3, 'must be between 5mib and 5gib'),

  RENDER_CONCURRENCY: int(1, 64).default(1),
  RENDER_MAX_ATTEMPTS: int(1, 10).default(3),
  RENDER_CHUNK_TIMEOUT_MS: int(1000, 24 * 3600_000).default(30 * 60_000),
  RENDER_CHUNK_SIZE: int(1, 1000).default(10),
  RENDER_MAX_FRAMES: int(1, 1_000_000).default(10_000),
  /** Bounds one request may ask for (422 past them): chunks per render, attempts, and a chunk's timeout. */
  RENDER_MAX_CHUNKS: int(1, 100_000).default(500),
  RENDER_ATTEMPTS_LIMIT: int(1, 10).default(5),
  RENDER_CHUNK_TIMEOUT_LIMIT_MS: int(1000, 24 * 3600_000).default(4 * 3600_000),
  /** Per-studio quotas (429 past them): frames queued or rendering at once, and render requests a minute. */
  RENDER_STUDIO_MAX_OUTSTANDING_FRAMES: int(1, 100_000_000).default(100_000),
  RENDER_STUDIO_MAX_OUTSTANDING_CHUNKS: int(1, 10_000_000).default(10_000),
  RENDER_STUDIO_SUBMISSIONS_PER_MINUTE: int(1, 100_000).default(60),
  /** How long a worker's claim on a job lasts without renewal: a worker killed mid-job is noticed after this. */
  WORKER_LOCK_DURATION_MS: int(1000, 3600_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: int(500, 3600_000).default(30_000),
  /** Per-frame delay of the simulated engine (queue tests and benchmarks only). */
  SIMULATED_RENDER_MS_PER_FRAME: int(0, 60_000).default(5),
  PIPELINE_CONCURRENCY: int(1, 64).default(2),
  WORKER_METRICS_PORT: int(0, 65535).default(0),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  THUMBNAIL_SIZE: int(16, 4096).default(256),
  PROXY_HEIGHT: int(90, 2160).default(720),
  BLENDER_PATH: z.string().min(1).default('blender'),
  /**
   * Media budgets (issue 14): what ffprobe finds in an upload must fit these before ffmpeg or sharp
   * transcodes it, or the preview fails for good with MEDIA_OVER_BUDGET. A tiny file can claim hours of
   * video or gigapixel frames, and the transcode's cost follows the claim.
   */
  MEDIA_MAX_DURATION_SECONDS: int(1, 7 * 24 * 3600).default(4 * 3600),
  /** 4 h at 60 fps. */
  MEDIA_MAX_FRAMES: int(1, 100_000_000).default(4 * 3600 * 60),
  MEDIA_MAX_WIDTH: int(16, 1 << 20).default(16_384),
  MEDIA_MAX_HEIGHT: int(16, 1 << 20).default(16_384),
  /** Width × height of one frame; also sharp's limitInputPixels. */
  MEDIA_MAX_PIXELS: int(256, 2 ** 40).default(16_384 * 16_384),
  MEDIA_MAX_STREAMS: int(1, 1024).default(16),
  /** One run of ffmpeg or ffprobe; exceeding it fails the preview for good (MEDIA_TIMEOUT), without retries. */
  MEDIA_TIMEOUT_MS: int(100, 24 * 3600_000).default(10 * 60_000),
  /** One rendered frame, counted from the previous one (or Blender's start); over it: RENDER_FRAME_TIMEOUT, for good. */
  RENDER_MAX_FRAME_MS: int(100, 24 * 3600_000).default(10 * 60_000),
  /** One rendered frame's file; over it: RENDER_FRAME_TOO_LARGE, for good. */
  RENDER_MAX_FRAME_BYTES: bytes.default(1024 ** 3),
  /**
   * Where Blender, ffmpeg and ffprobe run (issue 27): `bwrap` (bubblewrap: only their job directory and their
   * own install are visible, no network, no environment of ours), or `off`, which lets a scene or a
   * crafted file read whatever the worker can (other studios' stored files) and is only for trusted
   * single-studio installations. Workers refuse to start when `bwrap` cannot make a sandbox.
   */
  MEDIA_SANDBOX: z.enum(['bwrap', 'off']).default('bwrap'),
  BWRAP_PATH: z.string().min(1).default('bwrap'),
  /**
   * Address space of one ffmpeg or ffprobe run, in MiB (0: no limit). 16 GiB leaves room for the largest
   * frame the pixel budget admits (a 16384² float EXR is 4 GiB decoded) and the scaler's copies of it.
   */
  MEDIA_MAX_MEMORY_MB: int(0, 1 << 24).default(16 * 1024),
  /** Address space of one Blender render, in MiB (0: no limit; a scene needs what it needs, so set it per farm node). */
  RENDER_MAX_MEMORY_MB: int(0, 1 << 24).default(0),
});

type Raw = z.infer<typeof schema>;

export type Config = Omit<Raw, 'JWT_ACCESS_SECRET'> & { JWT_ACCESS_SECRET: string };

/**
 * Loads `.env` from the working directory when there is one, with Node's own parser (what the dotenv
 * package did): variables already in the environment win, as with `node --env-file`.
 */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PRODUCTION_SECRETS = ['JWT_ACCESS_SECRET'] as const;

/**
 * Parses and checks the environment. Throws a ConfigError whose message is one line naming
 * the variable and what is wrong, so start-up can print it and exit.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { process?: 'api' | 'worker' } = {}): Config {
  const worker = options.process === 'worker';
  // Treat empty strings as unset: `FOO=` in a .env file means "use the default".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  // A deployment that set the old per-email block keeps its number for the two settings that replaced it:
  // no client may fail more often than before, and the account is slowed, no longer closed, past it.
  const legacyPerEmail = cleaned.AUTH_RATE_LIMIT_MAX_PER_EMAIL;
  if (legacyPerEmail !== undefined) {
    cleaned.AUTH_FAILURES_PER_CLIENT ??= legacyPerEmail;
    cleaned.AUTH_DELAY_AFTER_FAILURES ??= legacyPerEmail;
  }
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path.join('.') || '(environment)';
    const value = cleaned[name] === undefined ? 'missing' : 'invalid';
    throw new ConfigError(`Invalid configuration: ${name} is ${value}: ${issue.message}`);
  }
  const cfg = parsed.data;
  if (cfg.NODE_ENV === 'production') {
    // Workers never sign or verify access tokens, so they neither need nor keep the key (see below).
    for (const key of worker ? [] : PRODUCTION_SECRETS) {
      const v = cfg[key];
      if (!v) throw new ConfigError(`Invalid configuration: ${key} is missing: required in production`);
      if (v.length < 32) throw new ConfigError(`Invalid configuration: ${key} is invalid: must be at least 32 characters in production`);
    }
    // /metrics shows every studio's queue depths and traffic: never public in production.
    if (!worker && !cfg.METRICS_TOKEN) throw new ConfigError('Invalid configuration: METRICS_TOKEN is missing: required in production (GET /metrics needs it as a Bearer token)');
    if (!cfg.MONGO_URI) throw new ConfigError('Invalid configuration: MONGO_URI is missing: required in production');
    if (!cfg.REDIS_URL) throw new ConfigError('Invalid configuration: REDIS_URL is missing: required in production');
    if (!worker && !cfg.SMTP_URL) throw new ConfigError('Invalid configuration: SMTP_URL is missing: required in production (invitations and email verification are sent by mail)');
  }
  if (Boolean(cfg.S3_UPLOAD_SIGNER_ACCESS_KEY_ID) !== Boolean(cfg.S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration: set both S3_UPLOAD_SIGNER_ACCESS_KEY_ID and S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY, or neither');
  }
  if (cfg.UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO < cfg.MAX_UPLOAD_BYTES) {
    throw new ConfigError('Invalid configuration: UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO must be at least MAX_UPLOAD_BYTES, or no upload of the largest file allowed could start');
  }
  if (cfg.STORAGE_DRIVER === 's3' && !cfg.S3_BUCKET) {
    throw new ConfigError('Invalid configuration: S3_BUCKET is missing: required when STORAGE_DRIVER=s3');
  }
  return {
    ...cfg,
    // A worker runs media tools on hostile files: it drops the signing key even when the environment has it.
    // Outside production an unset secret is a fresh random one: safe, but tokens do not outlive the process.
    JWT_ACCESS_SECRET: worker ? '' : (cfg.JWT_ACCESS_SECRET ?? randomBytes(48).toString('base64url')),
  };
}
