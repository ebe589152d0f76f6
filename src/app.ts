// Builds the Express app. Middleware order lives here and nowhere else.
import express, { type Express } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import type { Container } from './container';
import { correlationId } from './shared/middlewares/correlationId';
import { requestLogger } from './shared/middlewares/requestLogger';
import { errorHandler, notFoundHandler } from './shared/middlewares/errorHandler';
import { redisRateLimit } from './shared/middlewares/rateLimit';
import { healthRoutes } from './infra/http/routes/health.routes';
import { docsRoutes } from './infra/http/routes/docs.routes';
import { authRoutes } from './infra/http/routes/auth.routes';
import { assetRoutes } from './infra/http/routes/asset.routes';
import { renderRoutes } from './infra/http/routes/render.routes';
import { adminRoutes } from './infra/http/routes/admin.routes';

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
  app.use(helmet());
  app.use(
    cors({
      origin: config.CORS_ORIGINS.length === 0 ? false : config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS,
      exposedHeaders: ['X-Request-Id', 'ETag', 'Location', 'Retry-After', 'Content-Range', 'Accept-Ranges', 'Upload-Offset', 'Upload-Length', 'Tus-Resumable'],
    }),
  );

  // Probes stay outside the rate limit: a load balancer must always reach them.
  app.use(healthRoutes({ health: c.health, metrics, metricsToken: config.METRICS_TOKEN }));

  app.use(
    redisRateLimit({
      redis: c.redis,
      logger,
      prefix: `${c.keyPrefix}rl:global:`,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      limit: config.RATE_LIMIT_MAX,
    }),
  );
  app.use(express.json({ limit: config.JSON_BODY_LIMIT, strict: true }));

  app.use(docsRoutes());
  app.use(authRoutes(c));
  app.use(assetRoutes(c));
  app.use(renderRoutes(c));
  app.use(adminRoutes(c));

  options.extraRoutes?.(app);

  app.use(notFoundHandler());
  app.use(errorHandler(logger));
  return app;
}
