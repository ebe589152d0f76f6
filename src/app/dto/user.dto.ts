// The public shape of a studio member.
import type { Role, UserDoc } from '../repositories/models/User';
import type { InvitationDoc } from '../repositories/models/Invitation';
import type { ApiTokenDoc, Scope } from '../repositories/models/ApiToken';

export interface UserDto {
  id: string;
  studioId: string;
  email: string;
  name: string;
  role: Role;
  kind: 'PERSON' | 'BOT';
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toUserDto(u: UserDoc): UserDto {
  return {
    id: String(u._id),
    studioId: String(u.studioId),
    email: u.email,
    name: u.name,
    role: u.role,
    kind: u.kind ?? 'PERSON',
    active: u.active,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

/** One studio of the caller's person, for a studio switcher. */
export interface MembershipDto {
  studioId: string;
  studioName: string;
  studioSlug: string;
  /** When the studio was made: tells apart studios of the same name. */
  studioCreatedAt: string;
  /** The membership's id: the `id` of the user in that studio. */
  userId: string;
  role: Role;
  /** The studio the caller's token is for. */
  current: boolean;
}

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REVOKED' | 'EXPIRED';

export interface InvitationDto {
  id: string;
  studioId: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  invitedBy: string;
  expiresAt: string;
  createdAt: string;
  acceptedAt: string | null;
}

export function toInvitationDto(i: InvitationDoc, now: Date): InvitationDto {
  const status: InvitationStatus = i.acceptedAt ? 'ACCEPTED' : i.revokedAt ? 'REVOKED' : i.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'PENDING';
  return {
    id: String(i._id),
    studioId: String(i.studioId),
    email: i.email,
    role: i.role,
    status,
    invitedBy: String(i.invitedBy),
    expiresAt: i.expiresAt.toISOString(),
    createdAt: i.createdAt.toISOString(),
    acceptedAt: i.acceptedAt ? i.acceptedAt.toISOString() : null,
  };
}

export interface ApiTokenDto {
  id: string;
  userId: string;
  name: string;
  /** `sapi_` and the first characters of the secret: enough to recognise, not to use. */
  hint: string;
  scopes: Scope[];
  status: 'ACTIVE' | 'REVOKED' | 'EXPIRED';
  /** When it stops working (ApiTokenService.expiryOf: never later than API_TOKEN_MAX_DAYS after its creation). */
  expiresAt: string;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  createdBy: string;
  createdAt: string;
}

export function toApiTokenDto(t: ApiTokenDoc, expiresAt: Date, now: Date): ApiTokenDto {
  return {
    id: String(t._id),
    userId: String(t.userId),
    name: t.name,
    hint: `sapi_${t.hint}…`,
    scopes: t.scopes,
    status: t.revokedAt ? 'REVOKED' : expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'ACTIVE',
    expiresAt: expiresAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
    lastUsedIp: t.lastUsedIp,
    createdBy: String(t.createdBy),
    createdAt: t.createdAt.toISOString(),
  };
}
