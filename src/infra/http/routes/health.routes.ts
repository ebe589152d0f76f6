// Ops endpoints: liveness, readiness and Prometheus metrics.
import { Router } from 'express';
import type { Metrics } from '../../metrics/metrics';
import { AuthenticationError } from '../../../shared/errors';
import { sameSecret } from '../../../shared/security/sameSecret';

/** What the probes need of the health service. */
export interface ReadinessProbe {
  readiness(): Promise<{ ready: boolean; status: string; checks: Record<string, string> }>;
}

export function healthRoutes(deps: { health: ReadinessProbe; metrics: Metrics; metricsToken?: string }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/ready', async (_req, res) => {
    const r = await deps.health.readiness();
    res.status(r.ready ? 200 : 503).json({ status: r.status, checks: r.checks });
  });
  router.get('/metrics', async (req, res) => {
    if (deps.metricsToken) {
      const given = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
      if (!given || !sameSecret(given, deps.metricsToken)) throw new AuthenticationError('METRICS_TOKEN_REQUIRED', 'A valid metrics bearer token is required');
    }
    res.set('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
