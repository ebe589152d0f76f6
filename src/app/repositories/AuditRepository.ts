// Append-only audit events, read newest first per entity.
import { Types } from 'mongoose';
import type { Models } from './models';
import type { AuditEventDoc } from './models/AuditEvent';
import { keyset, toPage, type Page } from './pagination';

export class AuditRepository {
  constructor(private readonly models: Models) {}

  async append(studioId: Types.ObjectId, event: Omit<AuditEventDoc, '_id' | 'studioId' | 'at'> & { at?: Date }): Promise<void> {
    await this.models.AuditEvent.create({ ...event, studioId, at: event.at ?? new Date() });
  }

  async listForEntity(studioId: Types.ObjectId, entity: string, entityId: Types.ObjectId, req: { limit: number; cursor?: string }): Promise<Page<AuditEventDoc>> {
    const { filter, sort } = keyset<AuditEventDoc>('at', 'desc', req.cursor);
    const rows = await this.models.AuditEvent.find({ ...filter, studioId, entity, entityId }).sort(sort).limit(req.limit + 1).lean<AuditEventDoc[]>().exec();
    return toPage(rows, { limit: req.limit, order: 'desc' }, 'at', (r) => r.at, (r) => r);
  }
}
