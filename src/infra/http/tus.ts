// Resumable uploads (tus 1.0) at /uploads. Parts are staged on local disk; a finished upload becomes a
// version through VersionService.upload, the same path as a multipart upload (sniffing, hashing,
// numbering, events). Upload ids start with the studio id, so one studio can never touch another's.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { Server, type ServerOptions } from '@tus/server';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/utils';
import type { VersionService } from '../../app/services/VersionService';
import type { AssetService } from '../../app/services/AssetService';
import type { Actor } from '../../app/services/types';
import type { Logger } from '../logging/logger';
import { toDomainError, errorBody } from '../../shared/middlewares/errorHandler';
import { DomainError, NotFoundError, ValidationError } from '../../shared/errors';
import { currentContext } from '../logging/context';

export interface TusOptions {
  stagingDir: string;
  maxSize: number;
  /** Incomplete uploads older than this are removed by the periodic clean-up. */
  expirationMs: number;
  versions: VersionService;
  assets: AssetService;
  logger: Logger;
}

type TusRejection = { status_code: number; body: string };

function reject(err: unknown): TusRejection {
  const { error } = toDomainError(err);
  return { status_code: error.status, body: JSON.stringify(errorBody(error, currentContext()?.correlationId)) };
}

const actorOf = (req: http.IncomingMessage): Actor => {
  const user = (req as Request).user;
  if (!user) throw new DomainError('UNAUTHENTICATED', 'Authentication required', { status: 401 });
  return user;
};

export interface TusHandle {
  handler: (req: Request, res: Response, next: NextFunction) => void;
  cleanUpExpired(): Promise<number>;
  close(): void;
}

export function createTus(opts: TusOptions): TusHandle {
  const store = new FileStore({ directory: opts.stagingDir, expirationPeriodInMilliseconds: opts.expirationMs });
  const options: Omit<ServerOptions, 'locker'> & { datastore: FileStore } = {
    path: '/uploads',
    datastore: store,
    maxSize: opts.maxSize,
    respectForwardedHeaders: false,
    relativeLocation: true,
    namingFunction: (req) => `${actorOf(req).studioId}-${randomUUID().replace(/-/g, '')}`,
    async onIncomingRequest(req, _res, uploadId) {
      try {
        const actor = actorOf(req);
        // Creation requests carry no id yet; every other request must name an upload of the caller's studio.
        if (req.method !== 'POST' && !uploadId.startsWith(`${actor.studioId}-`)) throw new NotFoundError('UPLOAD_NOT_FOUND', 'Upload not found');
      } catch (err) {
        throw reject(err);
      }
    },
    async onUploadCreate(req, res, upload) {
      try {
        const actor = actorOf(req);
        const assetId = upload.metadata?.assetId;
        const filename = upload.metadata?.filename;
        if (!assetId || !filename) throw new ValidationError('UPLOAD_METADATA_REQUIRED', 'Upload-Metadata must carry assetId and filename');
        const asset = await opts.assets.require(actor, 'version:create', assetId);
        if (asset.archivedAt) throw new DomainError('ASSET_ARCHIVED', 'Archived assets take no new versions', { status: 409 });
        return res;
      } catch (err) {
        throw reject(err);
      }
    },
    async onUploadFinish(req, res, upload: Upload) {
      const actor = actorOf(req);
      try {
        const path = upload.storage?.path;
        if (!path) throw new DomainError('UPLOAD_STAGING_MISSING', 'The staged upload is missing', { status: 500 });
        const result = await opts.versions.upload(actor, upload.metadata!.assetId!, {
          stream: createReadStream(path),
          originalName: upload.metadata!.filename!,
          fields: Promise.resolve({ changeNote: upload.metadata?.changeNote ?? '' }),
        });
        return {
          res,
          status_code: 200,
          headers: { 'Content-Type': 'application/json', Location: `/assets/${result.version.assetId}/versions/${result.version.version}` },
          body: JSON.stringify(result),
        };
      } catch (err) {
        throw reject(err);
      } finally {
        // Committed or refused, the staged bytes have served their purpose.
        await store.remove(upload.id).catch((err: unknown) => opts.logger.warn('could not remove staged tus upload', { id: upload.id, err: (err as Error).message }));
      }
    },
  };
  const server = new Server(options as ServerOptions & { datastore: FileStore });
  const timer = setInterval(() => void cleanUpExpired(), Math.max(60_000, Math.min(opts.expirationMs, 3_600_000)));
  timer.unref();

  async function cleanUpExpired(): Promise<number> {
    try {
      return await server.cleanUpExpiredUploads();
    } catch (err) {
      opts.logger.warn('tus clean-up failed', { err: (err as Error).message });
      return 0;
    }
  }

  return {
    handler: (req, res) => {
      void server.handle(req, res);
    },
    cleanUpExpired,
    close: () => clearInterval(timer),
  };
}
