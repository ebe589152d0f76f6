// Picks the storage provider from configuration.
import path from 'node:path';
import type { Config } from '../../config/env';
import { LocalStorageProvider } from './LocalStorageProvider';
import { createS3Client, S3StorageProvider, type S3Settings } from './S3StorageProvider';
import type { StorageProvider } from './StorageProvider';

export * from './StorageProvider';

export function s3Settings(config: Config): S3Settings {
  return {
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  };
}

export function createStorage(config: Config): StorageProvider {
  if (config.STORAGE_DRIVER === 's3') {
    const settings = s3Settings(config);
    // Presigned URLs (direct uploads, download redirects) name the endpoint clients reach, when the api reaches
    // S3 by another (a compose network's `s3:9000`); the signature covers the host, so they are signed for it.
    const publicSettings = { ...settings, endpoint: config.S3_PUBLIC_ENDPOINT ?? settings.endpoint };
    const presigner = config.S3_PUBLIC_ENDPOINT ? createS3Client(publicSettings) : undefined;
    // Part URLs are signed with write-only credentials when the deployment has them (docs/security.md).
    const partSigner = config.S3_UPLOAD_SIGNER_ACCESS_KEY_ID
      ? createS3Client({ ...publicSettings, accessKeyId: config.S3_UPLOAD_SIGNER_ACCESS_KEY_ID, secretAccessKey: config.S3_UPLOAD_SIGNER_SECRET_ACCESS_KEY })
      : undefined;
    return new S3StorageProvider({ bucket: config.S3_BUCKET!, client: createS3Client(settings), presigner, partSigner });
  }
  return new LocalStorageProvider({ root: path.resolve(config.STORAGE_LOCAL_ROOT) });
}
