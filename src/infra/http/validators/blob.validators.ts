// Request schemas of content-addressed storage ("do you have this hash?", versions from held bytes) and of
// purging an archived asset, and their OpenAPI entries.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { objectId } from './common.validators';
import { AssetSchema } from './asset.validators';
import { VersionSchema } from './version.validators';
import { isStorableText } from '../../../shared/security/storableText';

// No regex flags (OpenAPI patterns are plain); upper case is accepted and read as lower case.
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a hex sha256').transform((s) => s.toLowerCase());

export const blobParams = z.strictObject({ sha256: sha256Hex });

export const fromBlobBody = z.strictObject({
  sha256: sha256Hex,
  fileName: z.string().trim().min(1).max(255).refine(isStorableText, 'contains a NUL character or an unpaired UTF-16 surrogate'),
  changeNote: z.string().max(2000).refine(isStorableText, 'contains a NUL character or an unpaired UTF-16 surrogate').optional(),
});

const BlobSchema = apiRegistry.register('Blob', z.object({ sha256: z.string(), size: z.number().int() }));
const PurgeSchema = apiRegistry.register(
  'AssetPurge',
  z.object({
    assetId: z.string(),
    versions: z.number().int().openapi({ description: 'Version records removed' }),
    bytes: z.number().int().openapi({ description: 'Sum of the removed versions\' file sizes; the storage collector frees objects no other version references' }),
  }),
);

apiRegistry.registerPath({
  method: 'get', path: '/blobs/{sha256}', operationId: 'getBlob', tags: ['versions'],
  summary: 'Do you have this hash? Your studio\'s stored object with this sha256 (HEAD for the status alone), before sending the bytes', security: bearer,
  request: { params: z.object({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).openapi({ description: 'Hex sha256 of the file' }) }) },
  responses: { 200: { description: 'Your studio holds these bytes', ...json(BlobSchema) }, ...errorResponses(400, 401, 403, 404) },
});
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/versions/from-blob', operationId: 'createVersionFromBlob', tags: ['versions'],
  summary: 'Make the next version from bytes your studio already holds (GET /blobs/{sha256}), without sending them', security: bearer,
  request: { params: z.object({ id: objectId }), body: jsonBody(fromBlobBody) },
  responses: { 201: { description: 'The new version', ...json(z.object({ version: VersionSchema, asset: AssetSchema })) }, ...errorResponses(400, 401, 403, 404, 409, 415, 503) },
});
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/purge', operationId: 'purgeAsset', tags: ['assets'],
  summary: 'Delete an archived asset\'s versions and previews for good (PRODUCER; If-Match optional); unreferenced files are then collected', security: bearer,
  request: { params: z.object({ id: objectId }) },
  responses: { 200: { description: 'What was purged', ...json(PurgeSchema) }, ...errorResponses(400, 401, 403, 404, 409, 412, 503) },
});
