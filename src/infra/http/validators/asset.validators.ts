// Request schemas of /assets and their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { idParams, objectId, pageQuery, searchText } from './common.validators';
import { ASSET_STATUSES, ASSET_TYPES } from '../../../app/repositories/models/Asset';

const name = z.string().trim().min(1).max(200);
const tags = z.array(z.string().trim().min(1).max(40)).max(30);

export const createAssetBody = z.strictObject({
  name,
  type: z.enum(ASSET_TYPES),
  description: z.string().max(5000).optional(),
  tags: tags.optional(),
  projectId: objectId.optional().openapi({ description: 'The project; the studio\'s default project when left out' }),
});

export const updateAssetBody = z
  .strictObject({
    name: name.optional(),
    type: z.enum(ASSET_TYPES).optional(),
    description: z.string().max(5000).optional(),
    tags: tags.optional(),
    status: z.enum(ASSET_STATUSES).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'provide at least one field to change')
  .openapi({ minProperties: 1 });

export const listAssetsQuery = pageQuery.extend({
  sort: z.enum(['createdAt', 'updatedAt', 'name']).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  type: z.enum(ASSET_TYPES).optional(),
  status: z.enum(ASSET_STATUSES).optional(),
  tag: z.string().trim().toLowerCase().min(1).max(40).optional(),
  createdBy: objectId.optional(),
  q: searchText(200).optional(),
  projectId: objectId.optional(),
  archived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export const assetIdParams = idParams;
export const historyQuery = pageQuery;

export const AssetSchema = apiRegistry.register(
  'Asset',
  z.object({
    id: z.string(),
    studioId: z.string(),
    name: z.string(),
    type: z.enum(ASSET_TYPES),
    description: z.string(),
    tags: z.array(z.string()),
    status: z.enum(ASSET_STATUSES),
    currentVersion: z.number().int().nullable(),
    latestVersion: z.number().int(),
    createdBy: z.string(),
    updatedBy: z.string(),
    archivedAt: z.string().nullable(),
    // Always sent; documented as optional so clients typed before issue 18 (and their fixtures) still compile.
    projectId: z.string().nullable().optional().openapi({ description: 'The asset\'s project (always present since issue 18)' }),
    shotId: z.string().nullable().optional().openapi({ description: 'Set when the asset carries a shot\'s versions (such assets are left out of GET /assets); always present since issue 18' }),
    revision: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const AuditEventSchema = apiRegistry.register(
  'AuditEvent',
  z.object({ id: z.string(), action: z.string(), entity: z.string(), entityId: z.string(), actorId: z.string().nullable(), tokenId: z.string().nullable(), at: z.string(), details: z.record(z.string(), z.unknown()).openapi({ additionalProperties: {} }) }),
);

const ifMatch = z.object({ 'if-match': z.string().optional() });

apiRegistry.registerPath({
  method: 'post', path: '/assets', operationId: 'createAsset', tags: ['assets'], summary: 'Create an asset', security: bearer,
  request: { body: jsonBody(createAssetBody) },
  responses: { 201: { description: 'Created (Location and ETag headers)', ...json(AssetSchema) }, ...errorResponses(400, 401, 403, 404, 409) },
});
apiRegistry.registerPath({
  method: 'get', path: '/assets', operationId: 'listAssets', tags: ['assets'], summary: 'List assets (keyset pagination)', security: bearer,
  request: { query: listAssetsQuery },
  responses: { 200: { description: 'A page of assets', ...json(z.object({ data: z.array(AssetSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401) },
});
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}', operationId: 'getAsset', tags: ['assets'], summary: 'One asset (ETag; If-None-Match gives 304)', security: bearer,
  request: { params: assetIdParams },
  responses: { 200: { description: 'The asset', ...json(AssetSchema) }, 304: { description: 'Not modified' }, ...errorResponses(400, 401, 404) },
});
apiRegistry.registerPath({
  method: 'patch', path: '/assets/{id}', operationId: 'updateAsset', tags: ['assets'], summary: 'Change an asset (If-Match for optimistic concurrency)', security: bearer,
  request: { params: assetIdParams, headers: ifMatch, body: jsonBody(updateAssetBody) },
  responses: { 200: { description: 'Updated', ...json(AssetSchema) }, ...errorResponses(400, 401, 404, 409, 412) },
});
apiRegistry.registerPath({
  method: 'delete', path: '/assets/{id}', operationId: 'archiveAsset', tags: ['assets'], summary: 'Archive an asset (DIRECTOR, PRODUCER)', security: bearer,
  request: { params: assetIdParams, headers: ifMatch },
  responses: { 200: { description: 'Archived', ...json(AssetSchema) }, ...errorResponses(400, 401, 403, 404, 409, 412) },
});
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}/history', operationId: 'getAssetHistory', tags: ['assets'], summary: 'Audit trail of an asset, newest first', security: bearer,
  request: { params: assetIdParams, query: historyQuery },
  responses: { 200: { description: 'A page of audit events', ...json(z.object({ data: z.array(AuditEventSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 404) },
});
