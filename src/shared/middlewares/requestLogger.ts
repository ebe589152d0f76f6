// One JSON log line and one metrics sample per request, labelled by route template, never the raw path.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../infra/logging/logger';
import type { Metrics } from '../../infra/metrics/metrics';

export function routeTemplate(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path === '/' && req.baseUrl ? '' : route.path}` || '/';
  return '(unmatched)';
}

export function requestLogger(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = routeTemplate(req);
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics.httpDuration.observe(labels, seconds);
      metrics.httpTotal.inc(labels);
      if (route === '/health' || route === '/metrics') return; // probes would drown the log
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'http';
      logger.log(level, 'request', {
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        correlationId: req.correlationId,
        userId: req.user?.id,
        studioId: req.user?.studioId,
      });
    });
    next();
  };
}
