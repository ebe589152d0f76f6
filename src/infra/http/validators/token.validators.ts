// Request and response schemas of /tokens and /bots; also their OpenAPI entries.
import { z } from 'zod';
import { apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { idParams, roleEnum } from './common.validators';
import { SCOPES } from '../../../app/repositories/models/ApiToken';

export const scopeEnum = z.enum(SCOPES);

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1, 'required: a name to recognise the token by').max(120, 'at most 120 characters'),
  scopes: z.array(scopeEnum).min(1, 'choose at least one scope').max(SCOPES.length).openapi({ description: 'What the token may do, within its member\'s role' }),
  expiresInDays: z
    .number({ error: (i) => (i.input === undefined ? 'required: every token expires; give the days it lives' : 'a whole number of days') })
    .int('a whole number of days')
    .min(1, 'at least 1')
    .max(3650)
    .openapi({ description: 'Days the token lives: every token expires, after at most API_TOKEN_MAX_DAYS (90 by default; GET /tokens tells: policy.maxExpiresInDays)' }),
  currentPassword: z.string({ error: 'required: your password, asked afresh to create a token' }).min(1, 'required: your password, asked afresh to create a token').max(1024).openapi({ description: 'The caller\'s password, asked afresh: a session alone cannot mint a token' }),
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
    expiresAt: z.string().openapi({ description: 'When it stops working: what it asked for, never later than API_TOKEN_MAX_DAYS after createdAt' }),
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
const TokenPolicySchema = apiRegistry.register(
  'ApiTokenPolicy',
  z.object({
    maxExpiresInDays: z.number().int().openapi({ description: 'The longest lifetime a new token may ask for (API_TOKEN_MAX_DAYS)' }),
    scopes: z.array(z.object({ scope: scopeEnum, description: z.string().openapi({ description: 'What the scope lets a token do, in words for people' }) })),
  }),
);
const TokenListSchema = z.object({ data: z.array(ApiTokenSchema), policy: TokenPolicySchema });
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
  summary: 'Create a personal access token that acts as the caller (within the given scopes), after the caller\'s password; the caller is mailed a notice, and the secret is shown once',
  request: { body: jsonBody(createTokenBody) },
  responses: { 201: { description: 'Created', ...json(NewApiTokenSchema) }, ...errorResponses(400, 401, 403, 404, 422, 429, 503) },
});
apiRegistry.registerPath({
  method: 'get', path: '/tokens', operationId: 'listTokens', tags: ['tokens'], security: bearer, summary: 'The caller\'s API tokens (never their secrets; an API token sees only itself), and what a new one may be',
  responses: { 200: { description: 'Tokens', ...json(TokenListSchema) }, ...errorResponses(401, 403, 429) },
});
apiRegistry.registerPath({
  method: 'delete', path: '/tokens/{id}', operationId: 'revokeToken', tags: ['tokens'], security: bearer,
  summary: 'Revoke one of the caller\'s tokens (a PRODUCER: any token of the studio; an API token: only itself); refused from the next request on',
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
  method: 'post', path: '/bots/{id}/tokens', operationId: 'createBotToken', tags: ['tokens'], security: bearer, summary: 'Create a token for a bot (PRODUCER), after the caller\'s password; every PRODUCER is mailed a notice, and the secret is shown once',
  request: { params: idParams, body: jsonBody(createTokenBody) },
  responses: { 201: { description: 'Created', ...json(NewApiTokenSchema) }, ...errorResponses(400, 401, 403, 404, 422, 429, 503) },
});
apiRegistry.registerPath({
  method: 'get', path: '/bots/{id}/tokens', operationId: 'listBotTokens', tags: ['tokens'], security: bearer, summary: 'A bot\'s tokens (PRODUCER)',
  request: { params: idParams },
  responses: { 200: { description: 'Tokens', ...json(TokenListSchema) }, ...errorResponses(400, 401, 403, 404, 429) },
});
