// What an API token needs for each route it may call: a scope, "any" (every valid token), or "people"
// (never a token: sessions, passwords, switching studios, minting tokens). A route missing here refuses
// tokens (fail closed); tests/api.tokens.test.ts walks the mounted routes so none is forgotten.
import type { Request } from 'express';
import type { Scope } from '../../app/services/types';

export type RouteScope = Scope | 'any' | 'people';

export const ROUTE_SCOPES: Record<string, RouteScope> = {
  'GET /auth/me': 'any',
  'GET /auth/studios': 'people',
  'GET /auth/studios/holding': 'people',
  'POST /auth/switch': 'people',
  'POST /auth/password': 'people',
  'POST /auth/logout-all': 'people',

  'GET /assets': 'assets:read',
  'GET /assets/:id': 'assets:read',
  'GET /assets/:id/history': 'assets:read',
  'GET /assets/:id/versions': 'assets:read',
  'GET /assets/:id/versions/:v': 'assets:read',
  'GET /assets/:id/download': 'assets:read',
  'GET /assets/:id/versions/:v/download': 'assets:read',
  'GET /assets/:id/versions/:v/pipeline': 'assets:read',
  'GET /assets/:id/versions/:v/thumbnail': 'assets:read',
  'GET /assets/:id/versions/:v/preview': 'assets:read',
  'GET /assets/:id/comments': 'assets:read',
  'GET /assets/:id/reviews': 'assets:read',
  'POST /assets': 'assets:write',
  'PATCH /assets/:id': 'assets:write',
  'DELETE /assets/:id': 'assets:write',
  'POST /assets/:id/versions': 'assets:write',
  'POST /assets/:id/upload': 'assets:write',
  'PATCH /assets/:id/rollback': 'assets:write',
  'ALL /uploads': 'assets:write',
  'ALL /uploads/{*rest}': 'assets:write',
  'POST /assets/:id/uploads': 'assets:write',
  'GET /assets/:id/uploads/:sessionId': 'assets:write',
  'POST /assets/:id/uploads/:sessionId/complete': 'assets:write',
  'DELETE /assets/:id/uploads/:sessionId': 'assets:write',
  // Asking for a hash is part of uploading: the same scope as sending the bytes.
  'GET /blobs/:sha256': 'assets:write',
  'POST /assets/:id/versions/from-blob': 'assets:write',
  // Purging is the one irreversible asset operation, so it has its own scope: the assets:write every DCC
  // add-on asks for (archive included, which can be undone) does not reach it.
  'POST /assets/:id/purge': 'assets:purge',

  // Storage usage reveals no more than listing assets and versions does; the role (DIRECTOR, PRODUCER) still decides.
  'GET /storage/usage': 'assets:read',
  'GET /storage/usage/assets': 'assets:read',

  'POST /assets/:id/comments': 'reviews:write',
  'POST /assets/:id/versions/:v/review': 'reviews:write',

  'GET /render-jobs': 'renders:read',
  'GET /render-jobs/:id': 'renders:read',
  'GET /render-jobs/:id/preview': 'renders:read',
  'POST /assets/:id/render': 'renders:write',
  'POST /render-jobs/retry': 'renders:write',
  'POST /render-jobs/:id/cancel': 'renders:write',
  'POST /render-jobs/:id/retry': 'renders:write',

  'GET /events': 'events:read',
  'GET /events/stream': 'events:read',

  // Production tracking (issue 18). Notifications are the caller's own: read with production:read.
  'GET /projects': 'production:read',
  'GET /projects/:id': 'production:read',
  'GET /projects/:id/episodes': 'production:read',
  'GET /projects/:id/sequences': 'production:read',
  'GET /projects/:id/grid': 'production:read',
  'GET /projects/:id/asset-grid': 'production:read',
  'GET /projects/:id/editorial/export': 'production:read',
  'GET /sequences/:id': 'production:read',
  'GET /sequences/:id/shots': 'production:read',
  'GET /shots/:id': 'production:read',
  'GET /shots/:id/casting': 'production:read',
  'GET /assets/:id/casting': 'production:read',
  'GET /tasks': 'production:read',
  'GET /tasks/:id': 'production:read',
  'GET /tasks/:id/history': 'production:read',
  'GET /task-permissions': 'production:read',
  'GET /task-types': 'production:read',
  'GET /task-statuses': 'production:read',
  'GET /notifications': 'production:read',
  'GET /notifications/unread-count': 'production:read',
  'POST /notifications/:id/read': 'production:read',
  'POST /notifications/read-all': 'production:read',
  'POST /notifications/read': 'production:read',
  'GET /notifications/digest': 'production:read',
  'PUT /notifications/digest': 'production:read',
  'GET /review-queue': 'production:read',
  'GET /search': 'production:read',
  'POST /projects': 'production:write',
  'PATCH /projects/:id': 'production:write',
  'POST /projects/:id/episodes': 'production:write',
  'POST /projects/:id/sequences': 'production:write',
  'POST /projects/:id/editorial/import': 'production:write',
  'PATCH /sequences/:id': 'production:write',
  'POST /sequences/:id/shots': 'production:write',
  'PATCH /shots/:id': 'production:write',
  'PUT /shots/:id/casting': 'production:write',
  'POST /tasks': 'production:write',
  'PATCH /tasks/:id': 'production:write',
  'POST /tasks/bulk': 'production:write',
  'POST /tasks/:id/submit': 'production:write',
  'POST /task-types': 'production:write',
  'PATCH /task-types/:id': 'production:write',
  'POST /task-statuses': 'production:write',
  'PATCH /task-statuses/:id': 'production:write',

  'GET /users': 'admin',
  // Who is in the studio, with which role, is decided by people: a token (a bot's above all) that could
  // change roles or activity could remove every human PRODUCER, and one that could invite would mint a
  // person (with a password) that outlives the token's revocation. AccessPolicy says the same (PEOPLE_ONLY).
  'PATCH /users/:id': 'people',
  'POST /invitations': 'people',
  // Reading and withdrawing pending invitations grants nothing to anyone.
  'GET /invitations': 'admin',
  'DELETE /invitations/:id': 'admin',
  'PATCH /studio/settings': 'admin',
  'POST /webhooks': 'admin',
  'GET /webhooks': 'admin',
  'GET /webhooks/:id': 'admin',
  'PATCH /webhooks/:id': 'admin',
  'DELETE /webhooks/:id': 'admin',
  'GET /webhooks/:id/deliveries': 'admin',
  'POST /webhooks/:id/deliveries/:deliveryId/redeliver': 'admin',
  'POST /webhooks/:id/test': 'admin',

  // A token sees and revokes only itself (a script can read its expiry and retire itself; ApiTokenService),
  // never its member's other tokens, and never mints one.
  'GET /tokens': 'any',
  'DELETE /tokens/:id': 'any',
  'POST /tokens': 'people',
  'POST /bots': 'people',
  'GET /bots': 'people',
  'POST /bots/:id/tokens': 'people',
  'GET /bots/:id/tokens': 'people',
};

/** The route's key as in ROUTE_SCOPES (HEAD is served by the GET route), or undefined outside a route. */
export function routeKey(req: Request): string | undefined {
  const route = (req as Request & { route?: { path: string; methods?: Record<string, boolean> } }).route;
  if (!route) return undefined;
  const path = `${req.baseUrl}${route.path}`;
  if (route.methods?._all) return `ALL ${path}`;
  return `${req.method === 'HEAD' ? 'GET' : req.method} ${path}`;
}

export function scopeOf(req: Request): RouteScope | undefined {
  const key = routeKey(req);
  return key ? ROUTE_SCOPES[key] : undefined;
}
