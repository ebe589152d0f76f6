// Who is acting: taken from a verified access token, never from the request body.
import type { Role } from '../repositories/models/User';
import type { Scope } from '../repositories/models/ApiToken';

export type { Role, Scope };

export interface Actor {
  id: string;
  studioId: string;
  role: Role;
  /** Set when the request came with an API token: which one, and the scopes it was given. */
  tokenId?: string;
  scopes?: readonly Scope[];
  /** For a person's access JWT: the session version it carries and when it expires (long-lived streams re-check both). */
  sessionVersion?: number;
  credentialExpiresAt?: number;
}

/** Whose budget an actor's requests and connections count against: the API token's own, or the member's. */
export const budgetHolder = (actor: Pick<Actor, 'id' | 'tokenId'>): string => (actor.tokenId ? `token:${actor.tokenId}` : `member:${actor.id}`);
