// HTTP in/out for render jobs.
import type { Request, Response } from 'express';
import type { RenderService } from '../services/RenderService';
import { assetIdParams } from '../../infra/http/validators/asset.validators';
import { bulkRetryBody, idempotencyKey, listRenderJobsQuery, renderBody, renderJobParams } from '../../infra/http/validators/render.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class RenderController {
  constructor(private readonly renders: RenderService) {}

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
