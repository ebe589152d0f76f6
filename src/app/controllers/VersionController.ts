// HTTP in/out for versions: streamed uploads, listing, rollback and ranged downloads.
import type { Request, Response } from 'express';
import type { VersionService } from '../services/VersionService';
import { listVersionsQuery, rollbackBody, uploadFields, versionParams } from '../../infra/http/validators/version.validators';
import { assetIdParams } from '../../infra/http/validators/asset.validators';
import { MULTIPART_OVERHEAD_BYTES, receiveUpload } from '../../infra/http/upload';
import { sendDownload } from '../../infra/http/download';
import { actorOf } from '../../shared/middlewares/auth';
import { assetEtag } from '../dto';

export class VersionController {
  constructor(
    private readonly versions: VersionService,
    private readonly maxUploadBytes: number,
  ) {}

  upload = async (req: Request, res: Response) => {
    const actor = actorOf(req);
    const { id } = assetIdParams.parse(req.params);
    try {
      // A Content-Length the studio's quota cannot hold is refused before the body is read (form overhead
      // allowed). One past the per-file limit is left to its 413: no freed space would let that file in.
      const declared = Number(req.headers['content-length']);
      const file = declared - MULTIPART_OVERHEAD_BYTES;
      if (Number.isFinite(declared) && file > 0 && file <= this.maxUploadBytes) await this.versions.admit(actor, id, file);
      const result = await receiveUpload(req, { maxFileBytes: this.maxUploadBytes, fieldSchema: uploadFields }, (file) => this.versions.upload(actor, id, file));
      res.status(201).location(`/assets/${id}/versions/${result.version.version}`).set('ETag', assetEtag(result.asset)).json(result);
    } catch (err) {
      // The rest of a refused body may be gigabytes: answer, then close instead of draining it.
      res.set('Connection', 'close');
      throw err;
    }
  };

  list = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    res.json(await this.versions.list(actorOf(req), id, listVersionsQuery.parse(req.query)));
  };

  get = async (req: Request, res: Response) => {
    const { id, v } = versionParams.parse(req.params);
    res.json(await this.versions.get(actorOf(req), id, v));
  };

  rollback = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    const { version, reason } = rollbackBody.parse(req.body);
    const asset = await this.versions.rollback(actorOf(req), id, version, reason);
    res.set('ETag', assetEtag(asset)).json(asset);
  };

  downloadCurrent = async (req: Request, res: Response) => {
    const { id } = assetIdParams.parse(req.params);
    await this.send(req, res, await this.versions.forDownload(actorOf(req), id));
  };

  downloadVersion = async (req: Request, res: Response) => {
    const { id, v } = versionParams.parse(req.params);
    await this.send(req, res, await this.versions.forDownload(actorOf(req), id, v));
  };

  private async send(req: Request, res: Response, v: Downloadable) {
    // On S3 with DOWNLOAD_REDIRECT_TTL_SECONDS: the bytes come from storage, authorised here a moment ago.
    if (req.method === 'GET') {
      res.attachment(v.file.originalName);
      const disposition = res.get('Content-Disposition')!;
      res.removeHeader('Content-Disposition');
      const url = await this.versions.redirectUrl(actorOf(req), v, disposition);
      if (url) {
        res.set('Cache-Control', 'private, no-store').redirect(302, url);
        return;
      }
    }
    await this.stream(req, res, v);
  }

  private stream(req: Request, res: Response, v: Downloadable) {
    return sendDownload(req, res, {
      size: v.file.size,
      etag: `"${v.file.sha256}"`,
      lastModified: v.createdAt,
      contentType: v.file.mimeType,
      fileName: v.file.originalName,
      open: (range) => this.versions.open(v, range),
    });
  }
}

/** What VersionService hands over for a download (the controller never names the model). */
type Downloadable = Awaited<ReturnType<VersionService['forDownload']>>;
