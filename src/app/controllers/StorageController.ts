// HTTP in/out for storage usage, and the operator's per-studio quota.
import type { Request, Response } from 'express';
import type { StorageUsageService } from '../services/StorageUsageService';
import { assetUsageQuery, storageQuotaBody, studioIdParams } from '../../infra/http/validators/storage.validators';
import { actorOf } from '../../shared/middlewares/auth';

export class StorageController {
  constructor(private readonly storage: StorageUsageService) {}

  usage = async (req: Request, res: Response) => {
    res.json(await this.storage.usage(actorOf(req)));
  };

  byAsset = async (req: Request, res: Response) => {
    res.json(await this.storage.byAsset(actorOf(req), assetUsageQuery.parse(req.query)));
  };

  /** Operator only (mounted behind OPERATOR_TOKEN): a studio cannot raise its own quota. */
  setQuota = async (req: Request, res: Response) => {
    const { id } = studioIdParams.parse(req.params);
    const { quotaBytes } = storageQuotaBody.parse(req.body);
    res.json(await this.storage.setQuota(id, quotaBytes));
  };

  resetQuota = async (req: Request, res: Response) => {
    const { id } = studioIdParams.parse(req.params);
    res.json(await this.storage.setQuota(id, 'default'));
  };
}
