// Who may see which event: the one rule behind GET /events, the SSE stream and the Socket.IO fan-out, so a
// token or a role refused on the REST route that reads the same data is refused the event as well. Every
// event belongs to one visibility class; a class names the role permission and, for API tokens, the scope
// that the matching REST reads require (see ROUTE_SCOPES and PERMISSIONS).
import { AccessPolicy, type Permission } from './AccessPolicy';
import type { EventType } from '../repositories/models/StudioEvent';
import type { Actor, Scope } from './types';

export const VISIBILITY = {
  /** Assets, versions, comments, reviews, pipelines: what GET /assets/... shows. */
  assets: { scope: 'assets:read', permission: 'asset:read' },
  /** Render jobs: GET /render-jobs. */
  renders: { scope: 'renders:read', permission: 'asset:read' },
  /** Projects, shots, tasks, casting, editorial: GET /projects, /tasks... */
  production: { scope: 'production:read', permission: 'project:read' },
  /** Webhook endpoints (their ids and failures): GET /webhooks, PRODUCERs and admin tokens only. */
  webhooks: { scope: 'admin', permission: 'webhook:manage' },
  /** The member's own notifications: GET /notifications (production:read, as that route). */
  notifications: { scope: 'production:read', permission: 'notification:read' },
} as const satisfies Record<string, { scope: Scope; permission: Permission }>;

export type VisibilityClass = keyof typeof VISIBILITY;
export const VISIBILITY_CLASSES = Object.keys(VISIBILITY) as VisibilityClass[];

/** The class of each logged event type; a Record over EVENT_TYPES, so a new type cannot be left out. */
export const EVENT_VISIBILITY: Record<EventType, VisibilityClass> = {
  'asset.created': 'assets',
  'asset.updated': 'assets',
  'version.created': 'assets',
  'comment.created': 'assets',
  'review.decided': 'assets',
  'pipeline.updated': 'assets',
  'render.progress': 'renders',
  'render.completed': 'renders',
  'render.failed': 'renders',
  'webhook.disabled': 'webhooks',
  'project.created': 'production',
  'project.updated': 'production',
  'shot.created': 'production',
  'shot.updated': 'production',
  'task.created': 'production',
  'task.updated': 'production',
  'casting.updated': 'production',
  'editorial.imported': 'production',
};

const policy = new AccessPolicy();

/** Whether the actor's role grants the class, and, for an API token, whether its scopes do too. */
export function canSee(actor: Actor, cls: VisibilityClass): boolean {
  const { scope, permission } = VISIBILITY[cls];
  if (!policy.can(actor, permission)) return false;
  return !actor.tokenId || (actor.scopes ?? []).includes(scope);
}

/** The classes the actor may see now (a socket joins these rooms). */
export const visibleClasses = (actor: Actor): VisibilityClass[] => VISIBILITY_CLASSES.filter((cls) => canSee(actor, cls));

/** Whether the actor may see a logged event of this type; a type without a class is seen by no one. */
export function eventVisibleTo(actor: Actor, type: string): boolean {
  const cls = (EVENT_VISIBILITY as Record<string, VisibilityClass | undefined>)[type];
  return cls !== undefined && canSee(actor, cls);
}
