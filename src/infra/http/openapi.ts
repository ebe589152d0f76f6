// The OpenAPI document, generated from the same zod schemas that validate requests.
import { OpenAPIRegistry, OpenApiGeneratorV3, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export const apiRegistry = new OpenAPIRegistry();

apiRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT or API token',
  description: "A person's access JWT (POST /auth/login), or an API token (sapi_..., from POST /tokens or POST /bots/{id}/tokens) held to its scopes",
});

export const ErrorBodySchema = apiRegistry.register(
  'Error',
  z.object({
    error: z.object({
      code: z.string().openapi({ example: 'ASSET_NOT_FOUND' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      correlationId: z.string().optional(),
    }),
  }),
);

export const PageInfoSchema = z.object({ limit: z.number().int(), nextCursor: z.string().nullable(), hasMore: z.boolean() });

/** Standard error responses, so every documented route shows the error contract. */
export function errorResponses(...statuses: number[]) {
  const text: Record<number, string> = {
    400: 'Validation failed',
    401: 'Missing, invalid or expired token',
    403: 'Role not allowed',
    404: 'Not found (also for another studio\'s resources)',
    409: 'Conflict',
    412: 'If-Match no longer matches',
    413: 'Payload too large',
    415: 'Unsupported media type',
    416: 'Range not satisfiable',
    422: 'Valid, but past a limit the server sets',
    429: 'Rate limited',
    507: 'The studio\'s storage quota cannot hold this upload (STORAGE_QUOTA_EXCEEDED)',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: text[s] ?? 'Error', content: { 'application/json': { schema: ErrorBodySchema } } }]),
  );
}

/** A JSON request or response body for an OpenAPI entry. */
export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
/** A required JSON request body: every route that takes one refuses a request without it. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
/** Security requirement of routes that take a Bearer access token. */
export const bearer = [{ bearerAuth: [] }];

/** One tag per resource; every operation names one of these. */
const TAGS = [
  { name: 'auth', description: 'Registration, login, tokens and the caller\'s sessions' },
  { name: 'users', description: 'Members of the caller\'s studio' },
  { name: 'assets', description: 'The studio\'s assets and their audit trail' },
  { name: 'versions', description: 'Immutable file versions: uploads, listing, rollback, downloads' },
  { name: 'review', description: 'Comments on frames and review decisions' },
  { name: 'render', description: 'Render jobs on the farm' },
  { name: 'pipeline', description: 'Validation and previews of each version' },
  { name: 'studio', description: 'The caller\'s studio and its settings' },
  { name: 'tokens', description: 'API tokens for scripts, and bots' },
  { name: 'integrations', description: 'Webhooks and the studio\'s event log and stream' },
  { name: 'production', description: 'Production tracking: projects, sequences, shots, tasks, casting, notifications, search, editorial import' },
];

export function buildOpenApiDocument() {
  return new OpenApiGeneratorV3(apiRegistry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Studio API',
      version: '0.1.0',
      description: 'Assets, immutable versions, live review and a render farm for animation studios.',
      // As package.json says: proprietary, all rights reserved.
      license: { name: 'UNLICENSED' },
    },
    servers: [{ url: '/', description: 'This API instance' }],
    tags: TAGS,
  });
}
