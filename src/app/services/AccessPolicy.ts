// Roles map to permissions in this one table, not in ifs spread across services.
import { AuthorizationError } from '../../shared/errors';
import type { Actor, Role } from './types';

const ALL: readonly Role[] = ['ARTIST', 'DIRECTOR', 'PRODUCER'];
const LEADS: readonly Role[] = ['DIRECTOR', 'PRODUCER'];

export const PERMISSIONS = {
  'user:list': ALL,
  'user:invite': ['PRODUCER'],
  /** Seeing and withdrawing pending invitations. */
  'invitation:manage': ['PRODUCER'],
  'user:update': ['PRODUCER'],
  'asset:read': ALL,
  'asset:create': ALL,
  'asset:update': ALL,
  'asset:archive': LEADS,
  'asset:rollback': LEADS,
  /** Deleting an archived asset's versions for good (their storage is then collected). */
  'asset:purge': ['PRODUCER'],
  'version:create': ALL,
  'comment:create': ALL,
  'review:decide': LEADS,
  'render:create': ALL,
  'render:manage': ALL,
  'studio:manage': ['PRODUCER'],
  /** Bots, their tokens, and revoking anyone's token. */
  'token:manage': ['PRODUCER'],
  'webhook:manage': ['PRODUCER'],
  // Production tracking (issue 18): PRODUCERs run projects and the studio's task types and statuses;
  // DIRECTORs (and PRODUCERs) break the work down, assign and set any status; everyone sees the work,
  // moves their own tasks along (TaskService checks "own") and submits versions.
  'project:read': ALL,
  'project:manage': ['PRODUCER'],
  'shot:manage': LEADS,
  'casting:manage': LEADS,
  'editorial:import': LEADS,
  'task:create': LEADS,
  'task:assign': LEADS,
  'task:status:any': LEADS,
  'task:status:own': ALL,
  'task:submit': ALL,
  'tracking:configure': ['PRODUCER'],
  'notification:read': ALL,
  /** Storage usage and quota (issue 21): the leads who answer for the studio's space. */
  'storage:read': LEADS,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/**
 * What only a person at a keyboard may do, whatever the role of the member a token acts as: decide who is
 * in the studio and with which role (a PRODUCER bot's token once deactivated the only human PRODUCER; an
 * admin token invited an address its holder read and became a person), and mint or manage tokens and bots
 * (a token that could would outlive its own revocation). The route table (ROUTE_SCOPES: 'people') refuses
 * these routes to tokens first; this holds for any other way in.
 */
export const PEOPLE_ONLY: ReadonlySet<Permission> = new Set<Permission>(['user:invite', 'user:update', 'token:manage']);

export class AccessPolicy {
  can(actor: Actor, permission: Permission): boolean {
    if (actor.tokenId && PEOPLE_ONLY.has(permission)) return false;
    return (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
  }

  /** Throws 403 FORBIDDEN unless the actor's role grants the permission (TOKEN_NOT_ALLOWED for a token on a people-only one). */
  require(actor: Actor, permission: Permission): void {
    if (actor.tokenId && PEOPLE_ONLY.has(permission)) {
      throw new AuthorizationError('TOKEN_NOT_ALLOWED', 'This operation is not open to API tokens; a person must sign in');
    }
    if (!this.can(actor, permission)) {
      throw new AuthorizationError('FORBIDDEN', `Your role (${actor.role}) may not ${permission.replace(':', ' ')}`);
    }
  }
}
