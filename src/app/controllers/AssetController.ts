// HTTP in/out for /assets: parse with a schema, call AssetService, shape the reply.
import type { Request, Response } from 'express';
import { type AssetService } from '../services/AssetService';
import { assetIdParams, createAssetBody, historyQuery, listAssetsQuery, updateAssetBody } from '../../infra/http/validators/asset.validators';
import { actorOf } from '../../shared/middlewares/auth';
import { assetEtag } from '../dto';

export class AssetController {
  constructor(private readonly assets: AssetService) {}

  create = async (req: Request, res: Response) => {
    const input = createAssetBody.parse(req.body);
    const asset = await this.assets.create(actorOf(req), input);
    res.status(201).location(`/assets/${asset.id}`).set('ETag', assetEtag(asset)).json(asset);
  };

  get = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const asset = await this.assets.get(actorOf(req), id);
    const etag = assetEtag(asset);
    res.set('ETag', etag).set('Cache-Control', 'private, no-cache');
    if (req.header('if-none-match')?.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
      res.status(304).end();
      return;
    }
    res.json(asset);
  };

  list = async (req: Request, res: Response) => {
    const query = listAssetsQuery.parse(req.query);
    res.json(await this.assets.list(actorOf(req), query));
  };

  update = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const input = updateAssetBody.parse(req.body);
    const asset = await this.assets.update(actorOf(req), id, input, req.header('if-match'));
    res.set('ETag', assetEtag(asset)).json(asset);
  };

  archive = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const asset = await this.assets.archive(actorOf(req), id, req.header('if-match'));
    res.set('ETag', assetEtag(asset)).json(asset);
  };

  history = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const page = historyQuery.parse(req.query);
    res.json(await this.assets.history(actorOf(req), id, page));
  };
}
