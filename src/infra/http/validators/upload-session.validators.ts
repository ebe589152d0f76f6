// Request schemas of direct upload sessions (S3 multipart with presigned part URLs), and their OpenAPI entries.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { objectId } from './common.validators';
import { AssetSchema } from './asset.validators';
import { VersionSchema } from './version.validators';
import { isStorableText } from '../../../shared/security/storableText';
import { MAX_PART_BYTES, MAX_PARTS } from '../../../app/services/UploadSessionService';

const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a hex sha256');

export const uploadSessionParams = z.strictObject({ id: objectId, sessionId: objectId });

export const startUploadBody = z.strictObject({
  fileName: z.string().trim().min(1).max(255).refine(isStorableText, 'contains a NUL character or an unpaired UTF-16 surrogate'),
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  sha256: sha256Hex,
  partSize: z.number().int().min(1).max(MAX_PART_BYTES),
  partSha256: z.array(sha256Hex).min(1).max(MAX_PARTS),
  changeNote: z.string().max(2000).refine(isStorableText, 'contains a NUL character or an unpaired UTF-16 surrogate').optional(),
});

const UploadSessionSchema = apiRegistry.register(
  'UploadSession',
  z.object({
    id: z.string(),
    assetId: z.string(),
    status: z.enum(['OPEN', 'COMPLETED', 'ABORTED']),
    fileName: z.string(),
    size: z.number().int(),
    partSize: z.number().int(),
    sha256: z.string(),
    version: z.number().int().nullable(),
    endReason: z.string().nullable(),
    expiresAt: z.string(),
    urlsExpireAt: z.string().nullable(),
    parts: z.array(
      z.object({
        partNumber: z.number().int(),
        size: z.number().int(),
        landed: z.boolean(),
        url: z.string().optional().openapi({ description: 'Presigned PUT for a part still to send; send the header x-amz-checksum-sha256: <checksumSha256>' }),
        checksumSha256: z.string().openapi({ description: 'Base64 sha256 of the part' }),
      }),
    ),
  }),
);

const idOnly = z.object({ id: objectId });
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/uploads', operationId: 'startDirectUpload', tags: ['versions'],
  summary: 'Start a direct upload to S3: presigned part URLs for parallel, resumable parts (S3 driver only)', security: bearer,
  request: { params: idOnly, body: jsonBody(startUploadBody) },
  responses: { 201: { description: 'The session with a URL per part', ...json(UploadSessionSchema) }, ...errorResponses(400, 401, 404, 409, 413, 507) },
});
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}/uploads/{sessionId}', operationId: 'getDirectUpload', tags: ['versions'],
  summary: 'A direct upload session: which parts landed, fresh URLs for the rest', security: bearer,
  request: { params: uploadSessionParams },
  responses: { 200: { description: 'The session', ...json(UploadSessionSchema) }, ...errorResponses(400, 401, 404, 409) },
});
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/uploads/{sessionId}/complete', operationId: 'completeDirectUpload', tags: ['versions'],
  summary: 'Verify the landed parts and make them the next version', security: bearer,
  request: { params: uploadSessionParams },
  responses: { 201: { description: 'The new version', ...json(z.object({ version: VersionSchema, asset: AssetSchema })) }, ...errorResponses(400, 401, 404, 409, 410, 415, 503, 507) },
});
apiRegistry.registerPath({
  method: 'delete', path: '/assets/{id}/uploads/{sessionId}', operationId: 'abortDirectUpload', tags: ['versions'],
  summary: 'Abort a direct upload: the landed parts are discarded', security: bearer,
  request: { params: uploadSessionParams },
  responses: { 204: { description: 'Aborted' }, ...errorResponses(400, 401, 404, 409, 503) },
});
