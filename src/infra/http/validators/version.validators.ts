// Request schemas of versions, rollback and downloads, and their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { objectId, pageQuery } from './common.validators';
import { AssetSchema } from './asset.validators';
import { isStorableText } from '../../../shared/security/storableText';

export const versionParams = z.strictObject({ id: objectId, v: z.coerce.number().int().min(1).max(1_000_000) });
export const listVersionsQuery = pageQuery;
export const rollbackBody = z.strictObject({ version: z.number().int().min(1).max(1_000_000), reason: z.string().trim().max(500).optional() });

export const VersionSchema = apiRegistry.register(
  'AssetVersion',
  z.object({
    id: z.string(),
    assetId: z.string(),
    studioId: z.string(),
    version: z.number().int(),
    file: z.object({ size: z.number().int(), sha256: z.string(), mimeType: z.string(), originalName: z.string(), verified: z.boolean() }),
    changeNote: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  }),
);

const idOnly = z.object({ id: objectId });
/** The text parts of a version upload besides its file. */
export const uploadFields = z.strictObject({ changeNote: z.string().max(2000).refine(isStorableText, 'contains a NUL character or an unpaired UTF-16 surrogate').optional() });
const uploadBody = {
  required: true,
  content: {
    'multipart/form-data': {
      // Strict like every JSON body: a part named otherwise is refused (400 UNKNOWN_FIELD).
      schema: uploadFields.extend({ file: z.string().openapi({ type: 'string', format: 'binary' }) }),
    },
  },
};

for (const path of ['/assets/{id}/versions', '/assets/{id}/upload']) {
  apiRegistry.registerPath({
    method: 'post', path, tags: ['versions'], security: bearer,
    // /upload is the seed's older name for the same operation, kept for existing scripts.
    ...(path.endsWith('/upload')
      ? { operationId: 'uploadAssetVersionAlias', summary: 'Upload a new immutable version (alias of POST /assets/{id}/versions)', deprecated: true }
      : { operationId: 'uploadAssetVersion', summary: 'Upload a new immutable version (streamed multipart)' }),
    request: { params: idOnly, body: uploadBody },
    responses: { 201: { description: 'The new version', ...json(z.object({ version: VersionSchema, asset: AssetSchema })) }, ...errorResponses(400, 401, 404, 409, 413, 415, 507) },
  });
}
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}/versions', operationId: 'listAssetVersions', tags: ['versions'], summary: 'Versions, newest first', security: bearer,
  request: { params: idOnly, query: listVersionsQuery },
  responses: { 200: { description: 'A page of versions', ...json(z.object({ data: z.array(VersionSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 404) },
});
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}/versions/{v}', operationId: 'getAssetVersion', tags: ['versions'], summary: 'One version', security: bearer,
  request: { params: versionParams },
  responses: { 200: { description: 'The version', ...json(VersionSchema) }, ...errorResponses(400, 401, 404) },
});
apiRegistry.registerPath({
  method: 'patch', path: '/assets/{id}/rollback', operationId: 'rollbackAsset', tags: ['versions'], summary: 'Point currentVersion at an earlier version (DIRECTOR, PRODUCER)', security: bearer,
  request: { params: idOnly, body: jsonBody(rollbackBody) },
  responses: { 200: { description: 'The asset', ...json(AssetSchema) }, ...errorResponses(400, 401, 403, 404, 409) },
});
const download = { 200: { description: 'The file' }, 206: { description: 'A byte range' }, 302: { description: 'On S3 with DOWNLOAD_REDIRECT_TTL_SECONDS: a short-lived presigned URL to fetch the file from storage' }, 304: { description: 'Not modified' }, ...errorResponses(400, 401, 404, 416) };
apiRegistry.registerPath({ method: 'get', path: '/assets/{id}/download', operationId: 'downloadAsset', tags: ['versions'], summary: 'Download the current version (Range supported)', security: bearer, request: { params: idOnly }, responses: download });
apiRegistry.registerPath({ method: 'get', path: '/assets/{id}/versions/{v}/download', operationId: 'downloadAssetVersion', tags: ['versions'], summary: 'Download a version (Range supported)', security: bearer, request: { params: versionParams }, responses: download });
