// Records who changed what; every service that mutates studio data calls it after the change lands.
import { Types } from 'mongoose';
import type { AuditRepository } from '../repositories/AuditRepository';
import type { Page } from '../repositories/pagination';
import type { AuditEventDoc } from '../repositories/models/AuditEvent';
import type { Actor } from './types';

export interface AuditEventDto {
  id: string;
  action: string;
  entity: string;
  entityId: string;
  actorId: string | null;
  at: string;
  details: Record<string, unknown>;
}

export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  record(actor: Actor | { studioId: string; id: string | null }, action: string, entity: string, entityId: Types.ObjectId | string, details: Record<string, unknown> = {}): Promise<void> {
    return this.repo.append(new Types.ObjectId(actor.studioId), {
      actorId: actor.id ? new Types.ObjectId(actor.id) : null,
      action,
      entity,
      entityId: new Types.ObjectId(String(entityId)),
      details,
    });
  }

  async history(studioId: string, entity: string, entityId: string, req: { limit: number; cursor?: string }): Promise<Page<AuditEventDto>> {
    const page = await this.repo.listForEntity(new Types.ObjectId(studioId), entity, new Types.ObjectId(entityId), req);
    return { ...page, data: page.data.map(toAuditDto) };
  }
}

export function toAuditDto(e: AuditEventDoc): AuditEventDto {
  return {
    id: String(e._id),
    action: e.action,
    entity: e.entity,
    entityId: String(e.entityId),
    actorId: e.actorId ? String(e.actorId) : null,
    at: e.at.toISOString(),
    details: e.details,
  };
}
