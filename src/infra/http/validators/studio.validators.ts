// Schemas and OpenAPI entries of the caller's studio.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';

export const studioSettingsBody = z.strictObject({ autoRender: z.boolean().optional() }).refine((b) => Object.keys(b).length > 0, 'provide a setting to change').openapi({ minProperties: 1 });

const StudioSchema = apiRegistry.register(
  'Studio',
  z.object({ id: z.string(), name: z.string(), slug: z.string(), settings: z.object({ autoRender: z.boolean() }) }),
);

apiRegistry.registerPath({
  method: 'patch', path: '/studio/settings', operationId: 'updateStudioSettings', tags: ['studio'], summary: 'Change studio settings such as autoRender (PRODUCER; audited)', security: bearer,
  request: { body: jsonBody(studioSettingsBody) },
  responses: { 200: { description: 'The studio', ...json(StudioSchema) }, ...errorResponses(400, 401, 403) },
});
