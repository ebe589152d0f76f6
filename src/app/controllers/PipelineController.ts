// HTTP in/out for a version's pipeline state, thumbnail and preview.
import type { Request, Response } from 'express';
import type { PipelineService } from '../services/PipelineService';
import type { StorageProvider } from '../../infra/storage/StorageProvider';
import { versionParams } from '../../infra/http/validators/version.validators';
import { sendDownload } from '../../infra/http/download';
import { actorOf } from '../../shared/middlewares/auth';

export class PipelineController {
  constructor(
    private readonly pipelines: PipelineService,
    private readonly storage: StorageProvider,
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
}
