// Prometheus metrics on a registry owned by one process (not the global one), so tests can build many apps.
import client from 'prom-client';

export class Metrics {
  readonly registry = new client.Registry();

  readonly httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpTotal = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  constructor(options: { prefix?: string; collectDefault?: boolean } = {}) {
    if (options.collectDefault !== false) client.collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): client.Counter<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as client.Counter<L>;
    return new client.Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge; `collect` (optional) refreshes it at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (g: client.Gauge<L>) => Promise<void> | void): client.Gauge<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as client.Gauge<L>;
    return new client.Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect ? { collect(this: client.Gauge<L>) { return collect(this); } } : {}),
    });
  }

  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): client.Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as client.Histogram<L>;
    return new client.Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
