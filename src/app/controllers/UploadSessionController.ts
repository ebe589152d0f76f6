// HTTP in/out for direct upload sessions (S3 multipart with presigned part URLs).
import type { Request, Response } from 'express';
import type { UploadSessionService } from '../services/UploadSessionService';
import { startUploadBody, uploadSessionParams } from '../../infra/http/validators/upload-session.validators';
import { assetIdParams } from '../../infra/http/validators/asset.validators';
import { safeFileName } from '../../infra/http/upload';
import { actorOf } from '../../shared/middlewares/auth';
import { assetEtag } from '../dto';
import { ValidationError } from '../../shared/errors';

export class UploadSessionController {
  constructor(private readonly sessions: UploadSessionService) {}

  start = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const input = startUploadBody.parse(req.body);
    // A plain file name, as for multipart and tus uploads: it is shown and judged by extension, never a path.
    const fileName = safeFileName(input.fileName);
    if (!fileName) throw new ValidationError('FILE_NAME_INVALID', 'fileName must be a plain file name');
    const session = await this.sessions.start(actorOf(req), id, { ...input, fileName });
    res.status(201).location(`/assets/${id}/uploads/${session.id}`).json(session);
  };

  get = async (req: Request, res: Response) => {
    const { id, sessionId } = uploadSessionParams.parse(req.params);
    res.json(await this.sessions.get(actorOf(req), id, sessionId));
  };

  complete = async (req: Request, res: Response) => {
    const { id, sessionId } = uploadSessionParams.parse(req.params);
    const result = await this.sessions.complete(actorOf(req), id, sessionId);
    res.status(201).location(`/assets/${id}/versions/${result.version.version}`).set('ETag', assetEtag(result.asset)).json(result);
  };

  abort = async (req: Request, res: Response) => {
    const { id, sessionId } = uploadSessionParams.parse(req.params);
    await this.sessions.abort(actorOf(req), id, sessionId);
    res.status(204).end();
  };
}
