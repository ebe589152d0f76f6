// Schemas and OpenAPI entries of storage usage (issue 21), and the operator's quota body.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses, json, PageInfoSchema } from '../openapi';
import { idParams, pageQuery } from './common.validators';
import { ASSET_TYPES } from '../../../app/repositories/models/Asset';

export const assetUsageQuery = pageQuery;

/** PUT /admin/studios/{id}/storage-quota: a quota in bytes, or null for none (DELETE returns to the default). */
export const storageQuotaBody = z.strictObject({
  quotaBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
});
export const studioIdParams = idParams;

export const StorageUsageSchema = apiRegistry.register(
  'StorageUsage',
  z.object({
    studioId: z.string(),
    logical: z.object({ bytes: z.number().int(), versions: z.number().int() }).openapi({ description: 'The sum of the sizes of the studio\'s versions, each counted whole: what the quota applies to' }),
    physical: z.object({ bytes: z.number().int(), objects: z.number().int() }).openapi({ description: 'What is stored: each object once (identical bytes in one studio are stored once), including objects the collector has not yet removed' }),
    reserved: z
      .object({ bytes: z.number().int(), uploads: z.number().int() })
      .openapi({ description: 'What the studio\'s uploads in progress (direct sessions and tus uploads) reserve from the quota until they are committed, cancelled or expire' }),
    quota: z.object({
      bytes: z.number().int().nullable().openapi({ description: 'The quota on logical bytes; null: none' }),
      source: z.enum(['deployment', 'studio']).openapi({ description: 'deployment: STORAGE_QUOTA_BYTES; studio: set for this studio by the operator' }),
    }),
    remainingBytes: z.number().int().nullable().openapi({ description: 'Bytes a new upload can still have: the quota less logical bytes and reserved bytes; null without a quota' }),
  }),
);

const AssetUsageSchema = apiRegistry.register(
  'AssetUsage',
  z.object({
    assetId: z.string(),
    name: z.string(),
    type: z.enum(ASSET_TYPES),
    shotId: z.string().nullable(),
    archivedAt: z.string().nullable(),
    bytes: z.number().int(),
    versions: z.number().int(),
  }),
);

apiRegistry.registerPath({
  method: 'get', path: '/storage/usage', operationId: 'getStorageUsage', tags: ['studio'],
  summary: 'The studio\'s storage usage (logical bytes and versions), its quota and what remains (DIRECTOR, PRODUCER)', security: bearer,
  responses: { 200: { description: 'Usage and quota', ...json(StorageUsageSchema) }, ...errorResponses(401, 403) },
});
apiRegistry.registerPath({
  method: 'get', path: '/storage/usage/assets', operationId: 'listAssetStorageUsage', tags: ['studio'],
  summary: 'Storage usage by asset, largest first (archived and shots\' assets included; DIRECTOR, PRODUCER)', security: bearer,
  request: { query: assetUsageQuery },
  responses: { 200: { description: 'A page of assets by size', ...json(z.object({ data: z.array(AssetUsageSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 403) },
});
