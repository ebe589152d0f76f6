// Request and response schemas of /tokens and /bots; also their OpenAPI entries.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { idParams, roleEnum } from './common.validators';
import { SCOPES } from '../../../app/repositories/models/ApiToken';

export const scopeEnum = z.enum(SCOPES);

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(120),
  scopes: z.array(scopeEnum).min(1).max(SCOPES.length).openapi({ description: 'What the token may do, within its member\'s role' }),
  expiresInDays: z.number().int().min(1).max(3650).optional().openapi({ description: 'Omitted: the token does not expire (revoke it when done)' }),
});
export const createBotBody = z.strictObject({ name: z.string().trim().min(1).max(120), role: roleEnum });

const ApiTokenSchema = apiRegistry.register(
  'ApiToken',
  z.object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    hint: z.string(),
    scopes: z.array(scopeEnum),
    status: z.enum(['ACTIVE', 'REVOKED', 'EXPIRED']),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    lastUsedIp: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  }),
);
const NewApiTokenSchema = apiRegistry.register(
  'NewApiToken',
  ApiTokenSchema.extend({ token: z.string().openapi({ description: 'The secret (sapi_…): shown only in this answer, stored only as a hash' }) }),
);
const BotSchema = z.object({
  id: z.string(),
  studioId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleEnum,
  kind: z.enum(['PERSON', 'BOT']),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

apiRegistry.registerPath({
  method: 'post', path: '/tokens', operationId: 'createToken', tags: ['tokens'], security: bearer,
  summary: 'Create a personal access token that acts as the caller (within the given scopes); its secret is shown once',
  request: { body: jsonBody(createTokenBody) },
  responses: { 201: { description: 'Created', ...json(NewApiTokenSchema) }, ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/tokens', operationId: 'listTokens', tags: ['tokens'], security: bearer, summary: 'The caller\'s API tokens (never their secrets)',
  responses: { 200: { description: 'Tokens', ...json(z.object({ data: z.array(ApiTokenSchema) })) }, ...errorResponses(401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'delete', path: '/tokens/{id}', operationId: 'revokeToken', tags: ['tokens'], security: bearer,
  summary: 'Revoke one of the caller\'s tokens (a PRODUCER: any token of the studio); refused from the next request on',
  request: { params: idParams },
  responses: { 200: { description: 'Revoked', ...json(ApiTokenSchema) }, ...errorResponses(400, 401, 403, 404, 409, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/bots', operationId: 'createBot', tags: ['tokens'], security: bearer, summary: 'Create a bot: a member without a person, acting only through its tokens (PRODUCER)',
  request: { body: jsonBody(createBotBody) },
  responses: { 201: { description: 'Created', ...json(BotSchema) }, ...errorResponses(400, 401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/bots', operationId: 'listBots', tags: ['tokens'], security: bearer, summary: 'The studio\'s bots (PRODUCER)',
  responses: { 200: { description: 'Bots', ...json(z.object({ data: z.array(BotSchema) })) }, ...errorResponses(401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'post', path: '/bots/{id}/tokens', operationId: 'createBotToken', tags: ['tokens'], security: bearer, summary: 'Create a token for a bot (PRODUCER); its secret is shown once',
  request: { params: idParams, body: jsonBody(createTokenBody) },
  responses: { 201: { description: 'Created', ...json(NewApiTokenSchema) }, ...errorResponses(400, 401, 403, 404, 429) },
});
apiRegistry.registerPath({
  method: 'get', path: '/bots/{id}/tokens', operationId: 'listBotTokens', tags: ['tokens'], security: bearer, summary: 'A bot\'s tokens (PRODUCER)',
  request: { params: idParams },
  responses: { 200: { description: 'Tokens', ...json(z.object({ data: z.array(ApiTokenSchema) })) }, ...errorResponses(400, 401, 403, 404, 429) },
});
