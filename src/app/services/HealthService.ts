// Liveness and readiness: readiness pings every backing service with a short timeout.
export type Check = () => Promise<boolean>;

export interface Readiness {
  ready: boolean;
  status: 'ready' | 'not_ready' | 'shutting_down';
  checks: Record<string, 'up' | 'down'>;
}

export class Lifecycle {
  shuttingDown = false;
}

export class HealthService {
  constructor(
    private readonly checks: Record<string, Check>,
    private readonly lifecycle: Lifecycle,
  ) {}

  async readiness(): Promise<Readiness> {
    const names = Object.keys(this.checks);
    const results = await Promise.all(names.map((n) => this.checks[n]!().catch(() => false)));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i] ? 'up' : 'down'] as const));
    if (this.lifecycle.shuttingDown) return { ready: false, status: 'shutting_down', checks };
    const ready = results.every(Boolean);
    return { ready, status: ready ? 'ready' : 'not_ready', checks };
  }
}
