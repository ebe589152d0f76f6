// HTTP in/out for a version's pipeline state, thumbnail and preview, and the studio's settings.
import type { Request, Response } from 'express';
import type { PipelineService } from '../services/PipelineService';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import type { StudioRepository } from '../repositories/StudioRepository';
import type { AccessPolicy } from '../services/AccessPolicy';
import { versionParams } from '../../infra/http/validators/version.validators';
import { studioSettingsBody } from '../../infra/http/validators/pipeline.validators';
import { sendDownload } from '../../infra/http/download';
import { actorOf } from '../../shared/middlewares/auth';
import { NotFoundError } from '../../shared/errors';

export class PipelineController {
  constructor(
    private readonly pipelines: PipelineService,
    private readonly storage: StorageProvider,
    private readonly studios: StudioRepository,
    private readonly access: AccessPolicy,
  ) {}

  get = async (req: Request, res: Response) => {
    const { id, v } = versionParams.parse(req.params);
    res.json(await this.pipelines.get(actorOf(req), id, v));
  };

  thumbnail = (req: Request, res: Response) => this.output(req, res, 'thumbnail');
  preview = (req: Request, res: Response) => this.output(req, res, 'preview');

  private async output(req: Request, res: Response, which: 'thumbnail' | 'preview') {
    const { id, v } = versionParams.parse(req.params);
    const o = await this.pipelines.output(actorOf(req), id, v, which);
    await sendDownload(req, res, {
      size: o.size,
      etag: `"${o.key.split('/').slice(-3).join('-')}-${o.size}-${o.lastModified.getTime()}"`,
      lastModified: o.lastModified,
      contentType: o.contentType,
      fileName: `v${v}-${which}.${which === 'thumbnail' ? 'png' : 'mp4'}`,
      open: (range) => this.storage.read(o.key, range),
    });
  }

  studioSettings = async (req: Request, res: Response) => {
    const actor = actorOf(req);
    this.access.require(actor, 'studio:manage');
    const input = studioSettingsBody.parse(req.body);
    const studio = await this.studios.updateSettings(actor.studioId, input);
    if (!studio) throw new NotFoundError('STUDIO_NOT_FOUND', 'Studio not found');
    res.json({ id: String(studio._id), name: studio.name, slug: studio.slug, settings: studio.settings });
  };
}
