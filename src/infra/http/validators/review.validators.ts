// Schemas of comments and review decisions, shared by REST and Socket.IO, and their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { objectId, pageQuery, queryInt } from './common.validators';
import { versionParams } from './version.validators';
import { DECISIONS } from '../../../app/repositories/models/ReviewDecision';

const commentFields = {
  body: z.string().trim().min(1).max(5000),
  version: z.number().int().min(1).max(1_000_000).optional(),
  frame: z.number().int().min(0).max(100_000_000).optional(),
  fps: z.number().min(1).max(240).optional(),
  timecode: z.string().max(20).optional(),
};
export const commentBody = z.strictObject(commentFields);
export const commentsQuery = pageQuery.extend({ after: queryInt(0, Number.MAX_SAFE_INTEGER).optional() });
export const reviewBody = z.strictObject({ decision: z.enum(DECISIONS), note: z.string().trim().max(5000).optional() });

// Socket.IO payloads: the same fields plus the asset they concern.
export const socketAssetRef = z.strictObject({ assetId: objectId });
export const socketComment = z.strictObject({ assetId: objectId, ...commentFields });
export const socketTokenRefresh = z.strictObject({ token: z.string().min(20).max(4096) });
export const socketApprove = z.strictObject({ assetId: objectId, version: z.number().int().min(1), decision: z.enum(DECISIONS), note: z.string().trim().max(5000).optional() });

const CommentSchema = apiRegistry.register(
  'Comment',
  z.object({ id: z.string(), assetId: z.string(), seq: z.number().int(), version: z.number().int().nullable(), authorId: z.string(), body: z.string(), frame: z.number().int().nullable(), fps: z.number().nullable(), timecode: z.string().nullable(), createdAt: z.string() }),
);
const idOnly = z.object({ id: objectId });
apiRegistry.registerPath({
  method: 'get', path: '/assets/{id}/comments', operationId: 'listComments', tags: ['review'], summary: 'Comments in sequence order; ?after=<seq> fetches what a client missed', security: bearer,
  request: { params: idOnly, query: commentsQuery },
  responses: { 200: { description: 'A page of comments', ...json(z.object({ data: z.array(CommentSchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 404) },
});
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/comments', operationId: 'addComment', tags: ['review'], summary: 'Comment on an asset (broadcast as asset:commented)', security: bearer,
  request: { params: idOnly, body: jsonBody(commentBody) },
  responses: { 201: { description: 'The comment', ...json(CommentSchema) }, ...errorResponses(400, 401, 404) },
});
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/versions/{v}/review', operationId: 'reviewVersion', tags: ['review'], summary: 'Approve or request changes (DIRECTOR, PRODUCER; broadcast as asset:approved)', security: bearer,
  request: { params: versionParams, body: jsonBody(reviewBody) },
  responses: { 201: { description: 'The decision' }, ...errorResponses(400, 401, 403, 404) },
});
