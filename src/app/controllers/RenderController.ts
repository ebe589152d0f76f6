// HTTP in/out for render jobs.
import type { Request, Response } from 'express';
import type { RenderService } from '../services/RenderService';
import { assetIdParams } from '../../infra/http/validators/asset.validators';
import { bulkRetryBody, idempotencyKey, listRenderJobsQuery, renderBody, renderJobParams } from '../../infra/http/validators/render.validators';
import { actorOf } from '../../shared/middlewares/auth';
import { sendDownload } from '../../infra/http/download';
import { NotFoundError } from '../../shared/errors';
import type { StorageProvider } from '../../infra/storage/StorageProvider';

export class RenderController {
  constructor(
    private readonly renders: RenderService,
    private readonly storage: StorageProvider,
  ) {}

  create = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const input = renderBody.parse(req.body ?? {});
    const key = req.header('idempotency-key');
    const { job } = await this.renders.create(actorOf(req), id, input, key === undefined ? undefined : idempotencyKey.parse(key));
    res.status(202).location(`/render-jobs/${job.id}`).json(job);
  };

  list = async (req: Request, res: Response) => {
    res.json(await this.renders.list(actorOf(req), listRenderJobsQuery.parse(req.query)));
  };

  get = async (req: Request, res: Response) => {
    const { id } = renderJobParams.parse(req.params);
    res.json(await this.renders.get(actorOf(req), id));
  };

  /** The finished render's H.264 preview (streamed, Range supported), for a player in the browser. */
  preview = async (req: Request, res: Response) => {
    const { id } = renderJobParams.parse(req.params);
    const key = await this.renders.previewKey(actorOf(req), id);
    const stat = await this.storage.stat(key);
    if (!stat) throw new NotFoundError('RENDER_PREVIEW_NOT_READY', 'This render has no preview (yet)');
    await sendDownload(req, res, {
      size: stat.size,
      etag: `"render-${id}-${stat.size}-${stat.lastModified.getTime()}"`,
      lastModified: stat.lastModified,
      contentType: 'video/mp4',
      fileName: `render-${id}-preview.mp4`,
      open: (range) => this.storage.read(key, range),
    });
  };

  cancel = async (req: Request, res: Response) => {
    const { id } = renderJobParams.parse(req.params);
    res.json(await this.renders.cancel(actorOf(req), id));
  };

  retry = async (req: Request, res: Response) => {
    const { id } = renderJobParams.parse(req.params);
    res.json(await this.renders.retry(actorOf(req), id));
  };

  retryMany = async (req: Request, res: Response) => {
    res.json(await this.renders.retryMany(actorOf(req), bulkRetryBody.parse(req.body ?? {})));
  };
}
