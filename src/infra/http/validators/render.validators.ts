// Request schemas of render jobs and their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { idParams, objectId, pageQuery } from './common.validators';
import { RENDER_ENGINES, RENDER_STATUSES } from '../../../app/repositories/models/RenderJob';

const frame = z.number().int().min(0).max(1_000_000);
export const renderBody = z.strictObject({
  version: z.number().int().min(1).optional(),
  frames: z.strictObject({ start: frame, end: frame }).optional(),
  chunkSize: z.number().int().min(1).max(1000).optional(),
  engine: z.enum(RENDER_ENGINES).optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
  chunkTimeoutMs: z.number().int().min(1000).max(24 * 3600_000).optional(),
});
export const idempotencyKey = z.string().trim().min(8).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
export const renderJobParams = idParams;
export const listRenderJobsQuery = pageQuery.extend({ status: z.enum(RENDER_STATUSES).optional(), assetId: objectId.optional() });
export const bulkRetryBody = z.strictObject({ status: z.enum(['FAILED', 'CANCELLED']).default('FAILED'), assetId: objectId.optional() });

const status = z.enum(RENDER_STATUSES);
const RenderJobSchema = apiRegistry.register(
  'RenderJob',
  z.object({
    id: z.string(), studioId: z.string(), assetId: z.string(), version: z.number().int(), engine: z.enum(RENDER_ENGINES),
    frames: z.object({ start: z.number().int(), end: z.number().int() }), chunkSize: z.number().int(), priority: z.number().int(),
    status, progress: z.number(), attempts: z.number().int(), maxAttempts: z.number().int(), chunkTimeoutMs: z.number().int(),
    chunks: z.array(z.object({ index: z.number().int(), start: z.number().int(), end: z.number().int(), status, progress: z.number(), attempts: z.number().int(), error: z.object({ code: z.string(), message: z.string() }).nullable() })),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    outputs: z.object({ frames: z.array(z.object({ frame: z.number().int() })), preview: z.boolean() }),
    requestedBy: z.string(), queuedAt: z.string(), startedAt: z.string().nullable(), finishedAt: z.string().nullable(),
  }),
);

apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/render', operationId: 'requestRender', tags: ['render'], summary: 'Queue a render of a version (202; Idempotency-Key de-duplicates)', security: bearer,
  request: { params: idParams, headers: z.object({ 'idempotency-key': idempotencyKey.optional() }), body: jsonBody(renderBody) },
  responses: { 202: { description: 'Accepted (Location: /render-jobs/{id})', ...json(RenderJobSchema) }, ...errorResponses(400, 401, 404, 409, 415, 422, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/render-jobs', operationId: 'listRenderJobs', tags: ['render'], summary: 'Render jobs of the studio, newest first', security: bearer,
  request: { query: listRenderJobsQuery },
  responses: { 200: { description: 'A page of render jobs', ...json(z.object({ data: z.array(RenderJobSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401) },
});
apiRegistry.registerPath({
  method: 'get', path: '/render-jobs/{id}', operationId: 'getRenderJob', tags: ['render'], summary: 'One render job with its chunks', security: bearer,
  request: { params: renderJobParams },
  responses: { 200: { description: 'The render job', ...json(RenderJobSchema) }, ...errorResponses(400, 401, 404) },
});
for (const action of ['cancel', 'retry'] as const) {
  apiRegistry.registerPath({
    method: 'post', path: `/render-jobs/{id}/${action}`, operationId: action === 'cancel' ? 'cancelRenderJob' : 'retryRenderJob', tags: ['render'], summary: action === 'cancel' ? 'Cancel a queued or running render' : 'Retry a FAILED or CANCELLED render', security: bearer,
    request: { params: renderJobParams },
    responses: { 200: { description: 'The render job', ...json(RenderJobSchema) }, ...(action === 'retry' ? errorResponses(400, 401, 404, 409, 429) : errorResponses(400, 401, 404, 409)) },
  });
}
apiRegistry.registerPath({
  method: 'get', path: '/render-jobs/{id}/preview', operationId: 'getRenderPreview', tags: ['render'], summary: 'The finished render\'s H.264 preview (streamed, Range supported)', security: bearer,
  request: { params: renderJobParams },
  responses: { 200: { description: 'video/mp4' }, 206: { description: 'A byte range' }, 304: { description: 'Not modified' }, ...errorResponses(400, 401, 404, 416) },
});
apiRegistry.registerPath({
  method: 'post', path: '/render-jobs/retry', operationId: 'retryRenderJobs', tags: ['render'], summary: 'Retry all FAILED (or CANCELLED) renders, optionally of one asset', security: bearer,
  // Optional: without a body every FAILED render of the studio is retried.
  request: { body: json(bulkRetryBody) },
  responses: { 200: { description: 'Ids re-queued', ...json(z.object({ retried: z.array(z.string()) })) }, ...errorResponses(400, 401, 429) },
});
