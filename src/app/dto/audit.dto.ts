// The public shape of an audit event.
import type { AuditEventDoc } from '../repositories/models/AuditEvent';

export interface AuditEventDto {
  id: string;
  action: string;
  entity: string;
  entityId: string;
  actorId: string | null;
  /** The API token used, if any. */
  tokenId: string | null;
  at: string;
  details: Record<string, unknown>;
}

export function toAuditDto(e: AuditEventDoc): AuditEventDto {
  return {
    id: String(e._id),
    action: e.action,
    entity: e.entity,
    entityId: String(e.entityId),
    actorId: e.actorId ? String(e.actorId) : null,
    tokenId: e.tokenId ? String(e.tokenId) : null,
    at: e.at.toISOString(),
    details: e.details,
  };
}
