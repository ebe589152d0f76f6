// Schemas and OpenAPI entries of a version's pipeline state and outputs.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses } from '../openapi';
import { versionParams } from './version.validators';
import { PIPELINE_STATUSES } from '../../../app/repositories/models/AssetPipeline';

const PipelineSchema = apiRegistry.register(
  'AssetPipeline',
  z.object({
    assetId: z.string(), version: z.number().int(), status: z.enum(PIPELINE_STATUSES),
    steps: z.array(z.object({ name: z.string(), status: z.string(), startedAt: z.string(), finishedAt: z.string().nullable(), durationMs: z.number().nullable(), note: z.string().nullable() })),
    error: z.object({ step: z.string(), code: z.string(), message: z.string() }).nullable(),
    outputs: z.object({ thumbnail: z.boolean(), preview: z.boolean(), renderJobId: z.string().nullable() }),
    media: z
      .object({
        fps: z.object({ num: z.number().int(), den: z.number().int() }).nullable().openapi({ description: 'Exact frame rate of the preview as num/den (24000/1001 for 23.976)' }),
        frames: z.number().int().openapi({ description: 'Frames in the preview (every source frame, none dropped or duplicated)' }),
        width: z.number().int(),
        height: z.number().int(),
        durationSeconds: z.number(),
      })
      .nullable()
      .openapi({ description: 'The video preview as a frame-accurate player needs it; null for images and until the preview exists' }),
  }),
);
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}/versions/{v}/pipeline', operationId: 'getVersionPipeline', tags: ['pipeline'], summary: 'Processing state of a version', security: bearer,
  request: { params: versionParams },
  responses: { 200: { description: 'Pipeline state', content: { 'application/json': { schema: PipelineSchema } } }, ...errorResponses(400, 401, 404) },
});
for (const which of ['thumbnail', 'preview'] as const) {
  apiRegistry.registerPath({
    method: 'get', path: `/assets/{id}/versions/{v}/${which}`, operationId: which === 'thumbnail' ? 'getVersionThumbnail' : 'getVersionPreview', tags: ['pipeline'], summary: `The version's ${which} (streamed, Range supported)`, security: bearer,
    request: { params: versionParams },
    responses: { 200: { description: which }, 206: { description: 'A byte range' }, ...errorResponses(400, 401, 404, 416) },
  });
}
