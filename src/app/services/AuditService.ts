// Records who changed what; every service that mutates studio data calls it after the change lands.
import { Types } from 'mongoose';
import type { AuditRepository } from '../repositories/AuditRepository';
import type { Page } from '../repositories/pagination';
import type { Actor } from './types';
import { type AuditEventDto, toAuditDto } from '../dto';

export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  record(actor: Actor | { studioId: string; id: string | null; tokenId?: string }, action: string, entity: string, entityId: Types.ObjectId | string, details: Record<string, unknown> = {}): Promise<void> {
    return this.repo.append(new Types.ObjectId(actor.studioId), {
      actorId: actor.id ? new Types.ObjectId(actor.id) : null,
      tokenId: actor.tokenId ? new Types.ObjectId(actor.tokenId) : null,
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

