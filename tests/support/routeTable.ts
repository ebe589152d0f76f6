// Every route the Express app has mounted, read from the router itself: what the isolation sweep walks, so
// a route added anywhere (outside the OpenAPI document too) is found without anyone listing it.
import type { Express } from 'express';

export interface MountedRoute {
  /** Upper-case HTTP method, or ALL for router.all, or USE for middleware mounted on a path prefix. */
  method: string;
  /** Express path syntax (`/assets/:id`, `/uploads/{*rest}`); a USE entry covers everything under it. */
  path: string;
}

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  name?: string;
}

const join = (prefix: string, path: string) => (path === '/' || path === '' ? prefix : `${prefix}${path}`);

/** Walks the app's router (Express 5 / router 2) and nested routers; global middleware (no path) is skipped. */
export function mountedRoutes(app: Express): MountedRoute[] {
  const out: MountedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) out.push({ method: m === '_all' ? 'ALL' : m.toUpperCase(), path: join(prefix, layer.route.path) });
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, join(prefix, layer.rawPath ?? ''));
      } else if (layer.rawPath && layer.rawPath !== '/') {
        out.push({ method: 'USE', path: join(prefix, layer.rawPath) });
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  // A prefix with several middleware (auth, then the handler) is one entry.
  return out.filter((r, i) => out.findIndex((o) => o.method === r.method && o.path === r.path) === i);
}
