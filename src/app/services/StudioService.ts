// The studio's own settings: PRODUCERs change them, every change is audited.
import { NotFoundError } from '../../shared/errors';
import type { StudioRepository } from '../repositories/StudioRepository';
import { toStudioDto, type StudioDto } from '../dto';
import type { AccessService } from './AccessService';
import type { AuditService } from './AuditService';
import type { Actor } from './types';

export interface StudioSettingsChange {
  autoRender?: boolean;
}

const NOT_FOUND = () => new NotFoundError('STUDIO_NOT_FOUND', 'Studio not found');

export class StudioService {
  constructor(private readonly deps: { studios: StudioRepository; access: AccessService; audit: AuditService }) {}

  async updateSettings(actor: Actor, change: StudioSettingsChange): Promise<StudioDto> {
    this.deps.access.require(actor, 'studio:manage');
    const before = await this.deps.studios.findById(actor.studioId);
    if (!before) throw NOT_FOUND();
    const studio = await this.deps.studios.updateSettings(actor.studioId, change);
    if (!studio) throw NOT_FOUND();
    await this.deps.audit.record(actor, 'studio.settings_updated', 'studio', studio._id, { from: before.settings, to: studio.settings });
    return toStudioDto(studio);
  }
}
