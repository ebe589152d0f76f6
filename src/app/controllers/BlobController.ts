// HTTP in/out for content-addressed storage ("do you have this hash?", versions from held bytes) and for
// purging an archived asset.
import type { Request, Response } from 'express';
import type { BlobService } from '../services/BlobService';
import type { VersionService } from '../services/VersionService';
import type { AssetPurgeService } from '../services/AssetPurgeService';
import { blobParams, fromBlobBody } from '../../infra/http/validators/blob.validators';
import { assetIdParams } from '../../infra/http/validators/asset.validators';
import { safeFileName } from '../../infra/http/upload';
import { actorOf } from '../../shared/middlewares/auth';
import { assetEtag } from '../dto';
import { ValidationError } from '../../shared/errors';

export class BlobController {
  constructor(
    private readonly blobs: BlobService,
    private readonly versions: VersionService,
    private readonly purges: AssetPurgeService,
  ) {}

  /** GET and HEAD (Express answers HEAD with this handler and sends no body). */
  has = async (req: Request, res: Response) => {
    const { sha256 } = blobParams.parse(req.params);
    res.set('Cache-Control', 'private, no-store').json(await this.blobs.has(actorOf(req), sha256));
  };

  fromBlob = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const input = fromBlobBody.parse(req.body);
    // A plain file name, as for every upload path: shown and judged by extension, never a path.
    const fileName = safeFileName(input.fileName);
    if (!fileName) throw new ValidationError('FILE_NAME_INVALID', 'fileName must be a plain file name');
    const result = await this.versions.fromBlob(actorOf(req), id, { ...input, fileName });
    res.status(201).location(`/assets/${id}/versions/${result.version.version}`).set('ETag', assetEtag(result.asset)).json(result);
  };

  purge = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    res.json(await this.purges.purge(actorOf(req), id, req.header('if-match')));
  };
}
