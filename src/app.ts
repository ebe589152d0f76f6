// Builds the Express app. Middleware order lives here and nowhere else.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import type { Container } from './container';
import { correlationId } from './shared/middlewares/correlationId';
import { requestLogger } from './shared/middlewares/requestLogger';
import { errorHandler, notFoundHandler } from './shared/middlewares/errorHandler';
import { redisRateLimit } from './shared/middlewares/rateLimit';
import { storableText } from './shared/middlewares/storableText';
import { healthRoutes } from './infra/http/routes/health.routes';
import { docsRoutes } from './infra/http/routes/docs.routes';
import { authRoutes } from './infra/http/routes/auth.routes';
import { userRoutes } from './infra/http/routes/user.routes';
import { assetRoutes } from './infra/http/routes/asset.routes';
import { versionRoutes } from './infra/http/routes/version.routes';
import { reviewRoutes } from './infra/http/routes/review.routes';
import { uploadRoutes } from './infra/http/routes/upload.routes';
import { uploadSessionRoutes } from './infra/http/routes/upload-session.routes';
import { blobRoutes } from './infra/http/routes/blob.routes';
import { renderRoutes } from './infra/http/routes/render.routes';
import { pipelineRoutes } from './infra/http/routes/pipeline.routes';
import { studioRoutes } from './infra/http/routes/studio.routes';
import { productionRoutes } from './infra/http/routes/production.routes';
import { invitationRoutes } from './infra/http/routes/invitation.routes';
import { adminRoutes } from './infra/http/routes/admin.routes';
import { storageRoutes } from './infra/http/routes/storage.routes';
import { actorOf, authenticate, carriesAccessJwt } from './shared/middlewares/auth';
import { scopeOf } from './infra/http/scopes';
import { tokenRoutes } from './infra/http/routes/token.routes';
import { integrationRoutes } from './infra/http/routes/integration.routes';
import { loginThrottle } from './shared/middlewares/loginThrottle';
import { LoginThrottle } from './app/services/LoginThrottle';
import { RedisLoginAttemptStore } from './infra/cache/LoginAttemptStore';
import type { RefreshCookiePolicy } from './app/controllers/AuthController';
import { ServiceUnavailableError } from './shared/errors';

export interface AppOptions {
  /** Extra routes mounted before the 404 handler; tests use it to provoke failures. */
  extraRoutes?: (app: Express) => void;
}

export function createApp(c: Container, options: AppOptions = {}): Express {
  const { config, logger, metrics } = c;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY === 'true' ? true : config.TRUST_PROXY === 'false' ? false : config.TRUST_PROXY);
  // Query strings are parsed flat: `?a[b]=1` stays the literal key "a[b]", so no object can smuggle a $-operator in.
  app.set('query parser', 'simple');

  app.use(correlationId());
  app.use(requestLogger(logger, metrics));
  // helmet's default CSP fits the web app: scripts and styles from 'self' only (Vite emits no inline script),
  // and connect-src 'self' covers the Socket.IO polling and WebSocket on this origin. Thumbnails and previews
  // need the bearer token, which <img>/<video> cannot send: the app fetches them and shows blob: URLs it made.
  app.use(helmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'media-src': ["'self'", 'blob:'] } } }));
  const refreshCookie: RefreshCookiePolicy = {
    secure: config.AUTH_COOKIE_SECURE === 'auto' ? config.NODE_ENV !== 'development' : config.AUTH_COOKIE_SECURE === 'true',
    maxAgeMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
  };
  app.locals.refreshCookie = refreshCookie;
  app.use(
    cors({
      origin: config.CORS_ORIGINS.length === 0 ? false : config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS,
      exposedHeaders: ['X-Request-Id', 'ETag', 'Location', 'Retry-After', 'Content-Range', 'Accept-Ranges', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable'],
    }),
  );

  // Probes stay outside the rate limit: a load balancer must always reach them.
  app.use(healthRoutes({ health: c.health, metrics, metricsToken: config.METRICS_TOKEN }));
  // Static files of the web app, before the rate limit: one page load fetches several and they hold no data.
  app.use(webApp(config.WEB_DIST_DIR ?? path.resolve(__dirname, '..', 'web', 'dist')));

  // Per client IP, only what no member or API token made: a studio's whole office is often one address
  // behind NAT, so its people's requests count per member (and per token) once authenticated, and only
  // an unauthenticated flood spends this budget. A person's verified access token skips it (so such a
  // flood cannot keep an office's signed-in people out); any other request counts while in flight and is
  // taken back once answered for an API token, or by a successful /auth exchange (a right password, a
  // valid cookie or link, a registration: each with limits of its own).
  app.use(
    redisRateLimit({
      redis: c.redis,
      logger,
      prefix: `${c.keyPrefix}rl:global:`,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      limit: config.RATE_LIMIT_MAX,
      skip: (req) => carriesAccessJwt(c.tokens, req),
      skipSuccessfulRequests: true,
      requestWasSuccessful: (req, res) => req.user !== undefined || (res.statusCode < 400 && req.path.startsWith('/auth/')),
      message: 'Too many requests from your network without signing in',
    }),
  );
  app.use(express.json({ limit: config.JSON_BODY_LIMIT, strict: true }));
  app.use(storableText());

  // Each routes file gets its own controller and the bearer check, nothing else of the container.
  const authn = withMemberLimits(authenticate(c, scopeOf), c);
  const ctl = c.controllers;
  app.use(docsRoutes());
  const limits = authLimits(c);
  app.use(authRoutes(ctl.auth, authn, limits));
  app.use(userRoutes(ctl.users, authn));
  app.use(invitationRoutes(ctl.invitations, authn, limits.perIp, limits.invitationPassword));
  app.use(assetRoutes(ctl.assets, authn));
  // Before the version routes, so /assets/:id/versions/from-blob is never read as a version number.
  app.use(blobRoutes(ctl.blobs, authn));
  app.use(versionRoutes(ctl.versions, authn));
  app.use(reviewRoutes(ctl.reviews, authn));
  app.use(uploadRoutes(c.tus.handler, authn));
  app.use(uploadSessionRoutes(ctl.uploadSessions, authn));
  app.use(
    renderRoutes(ctl.renders, authn, {
      // Render requests per studio per minute, whoever sends them: one studio cannot flood the farm's queue.
      submissions: redisRateLimit({
        redis: c.redis,
        logger,
        prefix: `${c.keyPrefix}rl:render-submit:`,
        windowMs: 60_000,
        limit: config.RENDER_STUDIO_SUBMISSIONS_PER_MINUTE,
        keyGenerator: (req: Request) => `studio:${req.user?.studioId ?? ''}`,
        code: 'RENDER_RATE_LIMITED',
      }),
    }),
  );
  app.use(pipelineRoutes(ctl.pipelines, authn));
  app.use(studioRoutes(ctl.studios, authn));
  app.use(productionRoutes(ctl.production, ctl.tasks, ctl.notifications, authn));
  app.use(tokenRoutes(ctl.tokens, authn, { perIp: limits.perIp, currentPassword: limits.passwordChange }));
  app.use(integrationRoutes(ctl.webhooks, ctl.events, authn));
  app.use(storageRoutes(ctl.storage, authn));
  app.use(adminRoutes(c.queue, { token: config.OPERATOR_TOKEN, write: config.OPERATOR_QUEUES_WRITE }, ctl.storage));

  options.extraRoutes?.(app);

  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}

/** A file of the build's flat static/ folder (hashed names): the only paths a precompressed copy is looked up for. */
const HASHED_FILE = /^\/static\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const;

/**
 * The build's precompressed copies (web/scripts/precompress.mjs writes .br and .gz beside each text file):
 * for a file the browser accepts one of, sets Content-Encoding, Content-Type and Vary and returns the copy's
 * path. Nothing is compressed per request, so no response costs the event loop compression work. Whether a
 * copy exists is remembered per file (a build's files never change while it is served).
 */
function precompressedFiles(dir: string) {
  const known = new Map<string, boolean>();
  const exists = (file: string) => {
    let hit = known.get(file);
    if (hit === undefined) {
      hit = existsSync(file);
      if (known.size < 10_000) known.set(file, hit);
    }
    return hit;
  };
  return (req: Request, res: Response, rest: string): string | null => {
    const file = path.join(dir, rest);
    // Every answer for this path depends on the request's Accept-Encoding, even the uncompressed one.
    res.vary('Accept-Encoding');
    const offered = ENCODINGS.filter((e) => exists(file + e.ext));
    if (offered.length === 0) return null;
    // The server's preference (brotli, then gzip) among what the client accepts at all: browsers list gzip first.
    const encoding = offered.find((e) => req.acceptsEncodings(e.name) === e.name);
    if (!encoding) return null;
    res.type(path.extname(file));
    res.set('Content-Encoding', encoding.name);
    return file + encoding.ext;
  };
}

/**
 * The web app's production build at /app/: hashed files under /app/static/ cached for a year, index.html
 * never cached, and every other GET under /app/ answered with index.html (the app's own routes). Nothing
 * outside /app is touched, so no API path can clash. Mounted as path-less middleware that checks the
 * prefix itself: it serves no studio data, so the tenant sweep has nothing to walk there.
 */
function webApp(dir: string): RequestHandler {
  const index = path.join(dir, 'index.html');
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    redirect: false,
    setHeaders: (res, file) => {
      res.setHeader('Cache-Control', file.startsWith(path.join(dir, 'static') + path.sep) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const precompressed = precompressedFiles(dir);
  const sendIndex: RequestHandler = (req, res, next) => {
    res.set('Cache-Control', 'no-cache');
    const variant = precompressed(req, res, '/index.html');
    res.sendFile(variant ?? index, (err) => err && next(err));
  };
  return (req, res, next) => {
    if (req.path !== '/app' && !req.path.startsWith('/app/')) return next();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      return next(new ServiceUnavailableError('WEB_APP_NOT_BUILT', 'The web app is not built on this server: run `npm run build` (or `npm run build:web`), then reload'));
    }
    if (req.path === '/app') return res.redirect(301, '/app/');
    const rest = req.path.slice('/app'.length);
    if (rest === '/' || rest === '/index.html') return sendIndex(req, res, next);
    if (HASHED_FILE.test(rest)) {
      const variant = precompressed(req, res, rest);
      if (variant) {
        res.set('Cache-Control', 'public, max-age=31536000, immutable');
        return res.sendFile(variant, (err) => err && next(err));
      }
    }
    const url = req.url;
    req.url = url.slice('/app'.length);
    files(req, res, (err?: unknown) => {
      req.url = url;
      if (err) return next(err);
      // A missing hashed file is a 404, never index.html: a stale page must not run HTML as a script.
      if (rest.startsWith('/static/')) return next();
      sendIndex(req, res, next);
    });
  };
}

/**
 * The bearer check, then the caller's own request budget, in Redis so it holds across instances: per API
 * token (API_TOKEN_RATE_LIMIT_PER_MINUTE) or per member (RATE_LIMIT_MAX_PER_MEMBER, every session of the
 * person in this studio together). A runaway script or a stuck tab is slowed on its own credential, never
 * on its office's IP, so the rest of the office works on.
 */
function withMemberLimits(authn: RequestHandler, c: Container): RequestHandler {
  const perToken = redisRateLimit({
    redis: c.redis,
    logger: c.logger,
    prefix: `${c.keyPrefix}rl:token:`,
    windowMs: 60_000,
    limit: c.config.API_TOKEN_RATE_LIMIT_PER_MINUTE,
    keyGenerator: (req: Request) => `token:${req.user?.tokenId ?? ''}`,
    skip: (req: Request) => !req.user?.tokenId,
    code: 'TOKEN_RATE_LIMITED',
    message: 'This API token sent too many requests in a minute',
  });
  const perMember = redisRateLimit({
    redis: c.redis,
    logger: c.logger,
    prefix: `${c.keyPrefix}rl:member:`,
    windowMs: c.config.RATE_LIMIT_WINDOW_MS,
    limit: c.config.RATE_LIMIT_MAX_PER_MEMBER,
    keyGenerator: (req: Request) => `member:${req.user?.id ?? ''}`,
    skip: (req: Request) => !req.user || Boolean(req.user.tokenId),
    message: 'You sent too many requests in a short time',
  });
  return (req, res, next) =>
    authn(req, res, (err?: unknown) => {
      if (err) return next(err);
      perToken(req, res, (tokenErr?: unknown) => (tokenErr ? next(tokenErr) : perMember(req, res, next)));
    });
}

const bodyToken = (req: Request): unknown => (req.body as { token?: unknown } | undefined)?.token;

function authLimits(c: Container) {
  const { config } = c;
  const throttle = new LoginThrottle({
    store: new RedisLoginAttemptStore(c.redis, `${c.keyPrefix}login:`),
    logger: c.logger,
    policy: {
      windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS,
      failuresPerClient: config.AUTH_FAILURES_PER_CLIENT,
      delayAfterFailures: config.AUTH_DELAY_AFTER_FAILURES,
      firstDelayMs: config.AUTH_FIRST_DELAY_MS,
      maxDelayMs: config.AUTH_MAX_DELAY_MS,
      maxDelayed: config.AUTH_MAX_DELAYED_LOGINS,
    },
  });
  return {
    // Failed credential requests per client, whatever the account: one client cannot spray many accounts
    // with guesses. Only failures count: fifty people of one office signing in from one address are not a
    // spray (issue 28), and a right password says nothing a guesser needs.
    perIp: redisRateLimit({
      redis: c.redis,
      logger: c.logger,
      prefix: `${c.keyPrefix}rl:auth-ip:`,
      windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS,
      limit: config.AUTH_RATE_LIMIT_MAX_PER_IP,
      skipSuccessfulRequests: true,
      code: 'AUTH_RATE_LIMITED',
      message: 'Too many failed sign-ins or links from your network',
    }),
    // Failed logins per account and client (429 for that client only) and growing delays per account:
    // a per-account block would let anyone lock anyone out (issue 14).
    login: loginThrottle(throttle),
    // Changing a password and minting an API token check the current one: the same throttle, on the
    // caller's own account, so a stolen access token is no faster a way to guess it than the login form.
    passwordChange: loginThrottle(throttle, {
      accountOf: async (req: Request) => (await c.services.auth.me(actorOf(req))).email,
      wrongPasswordStatus: 403,
    }),
    // A registration link for an existing account asks for its password: the link's holder guesses at the
    // login throttle's pace, not faster.
    registrationPassword: loginThrottle(throttle, { accountOf: (req: Request) => c.services.auth.registrationAddress(bodyToken(req)) }),
    invitationPassword: loginThrottle(throttle, { accountOf: (req: Request) => c.services.invitations.invitationAddress(bodyToken(req)) }),
    // Per client, whatever the addresses: one client cannot mail many mailboxes. Never per address, which
    // would let anyone keep its owner from resetting their password.
    passwordResets: redisRateLimit({
      redis: c.redis,
      logger: c.logger,
      prefix: `${c.keyPrefix}rl:password-reset-client:`,
      windowMs: 3_600_000,
      limit: config.PASSWORD_RESETS_PER_CLIENT_PER_HOUR,
      code: 'PASSWORD_RESET_RATE_LIMITED',
      message: 'Too many password resets were asked for from your network this hour; try again later',
    }),
    // Per client first, so one client's flood is refused before it spends the shared budget. No limit is
    // per address: that would let anyone keep an address's owner from registering.
    registrations: [
      redisRateLimit({
        redis: c.redis,
        logger: c.logger,
        prefix: `${c.keyPrefix}rl:register-client:`,
        windowMs: 3_600_000,
        limit: config.REGISTRATIONS_PER_CLIENT_PER_HOUR,
        code: 'REGISTRATION_RATE_LIMITED',
        message: 'Too many studios were asked for from your network this hour; try again later',
      }),
      redisRateLimit({
        redis: c.redis,
        logger: c.logger,
        prefix: `${c.keyPrefix}rl:register-all:`,
        windowMs: 3_600_000,
        limit: config.REGISTRATIONS_PER_HOUR,
        keyGenerator: () => 'all',
        code: 'REGISTRATIONS_BUSY',
        message: 'Too many studios are being created right now; try again later',
      }),
    ],
  };
}
