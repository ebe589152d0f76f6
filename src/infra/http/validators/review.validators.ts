// Schemas of comments and review decisions, shared by REST and Socket.IO, and their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { objectId, pageQuery, queryInt } from './common.validators';
import { versionParams } from './version.validators';
import { AssetSchema } from './asset.validators';
import { DECISIONS } from '../../../app/repositories/models/ReviewDecision';
import { ANNOTATION_COLORS } from '../../../app/repositories/models/Comment';

/**
 * On-frame drawings of a comment, in coordinates normalised to the picture (0..1, origin top left) so they
 * land on the same spot at any display size. Points are flat [x0, y0, x1, y1, …] lists: compact, and no
 * nested arrays (which FerretDB cannot store). The bounds keep a comment well under the Socket.IO payload
 * limit (64 KiB): at most 32 shapes, 1000 points in a stroke, 2000 points in all.
 */
export const ANNOTATION_LIMITS = { shapes: 32, pointsPerStroke: 1000, points: 2000, text: 200 } as const;
const coordinate = z.number().min(0).max(1);
const color = z.enum(ANNOTATION_COLORS);
const pointsOf = (min: number, max: number) =>
  z
    .array(coordinate)
    .min(min * 2, `needs at least ${min} point${min === 1 ? '' : 's'} (${min * 2} numbers)`)
    .max(max * 2, `at most ${max} point${max === 1 ? '' : 's'} (${max * 2} numbers)`)
    .refine((p) => p.length % 2 === 0, 'is a flat list of x, y pairs: its length must be even');
const strokeShape = z.strictObject({ kind: z.literal('stroke'), color, points: pointsOf(2, ANNOTATION_LIMITS.pointsPerStroke) }).openapi({ description: 'A freehand line through the points' });
const arrowShape = z.strictObject({ kind: z.literal('arrow'), color, points: pointsOf(2, 2) }).openapi({ description: 'An arrow from its first point (tail) to its second (head)' });
const textShape = z
  .strictObject({ kind: z.literal('text'), color, points: pointsOf(1, 1), text: z.string().trim().min(1).max(ANNOTATION_LIMITS.text) })
  .openapi({ description: 'A label whose top left corner is at its one point' });
// Inline, not a registered component: OpenAPI 3.0 cannot mark a $ref nullable, and the comment's is.
export const annotationBody = z
  .strictObject({ shapes: z.array(z.discriminatedUnion('kind', [strokeShape, arrowShape, textShape])).min(1).max(ANNOTATION_LIMITS.shapes) })
  .superRefine((a, ctx) => {
    const points = a.shapes.reduce((n, sh) => n + sh.points.length / 2, 0);
    if (points > ANNOTATION_LIMITS.points) ctx.addIssue({ code: 'custom', path: ['shapes'], message: `at most ${ANNOTATION_LIMITS.points} points in all shapes together, not ${points}` });
  })
  .openapi({ description: 'Vector drawings on the comment\'s frame; coordinates are fractions of the picture\'s width and height' });

const commentFields = {
  body: z.string().trim().min(1).max(5000),
  version: z.number().int().min(1).max(1_000_000).optional(),
  frame: z.number().int().min(0).max(100_000_000).optional(),
  fps: z.number().min(1).max(240).optional(),
  timecode: z.string().max(20).optional(),
  /** Needs version and frame: a drawing is on one picture (frame 0 of an image). */
  annotation: annotationBody.optional(),
};
export const commentBody = z.strictObject(commentFields);
export const commentsQuery = pageQuery.extend({ after: queryInt(0, Number.MAX_SAFE_INTEGER).optional() });
export const decisionsQuery = pageQuery.extend({ version: queryInt(1, 1_000_000).optional().openapi({ description: 'Only this version\'s decisions' }) });
export const reviewBody = z.strictObject({ decision: z.enum(DECISIONS), note: z.string().trim().max(5000).optional() });

// Socket.IO payloads: the same fields plus the asset they concern.
export const socketAssetRef = z.strictObject({ assetId: objectId });
export const socketComment = z.strictObject({ assetId: objectId, ...commentFields });
export const socketTokenRefresh = z.strictObject({ token: z.string().min(20).max(4096) });
export const socketApprove = z.strictObject({ assetId: objectId, version: z.number().int().min(1), decision: z.enum(DECISIONS), note: z.string().trim().max(5000).optional() });

const CommentSchema = apiRegistry.register(
  'Comment',
  z.object({ id: z.string(), assetId: z.string(), seq: z.number().int(), version: z.number().int().nullable(), authorId: z.string(), body: z.string(), frame: z.number().int().nullable(), fps: z.number().nullable(), timecode: z.string().nullable(), annotation: annotationBody.nullable(), createdAt: z.string() }),
);
const decisionFields = { id: z.string(), assetId: z.string(), version: z.number().int(), decision: z.enum(DECISIONS), note: z.string(), decidedBy: z.string(), createdAt: z.string() };
const ReviewDecisionSchema = apiRegistry.register('ReviewDecision', z.object({ ...decisionFields, asset: AssetSchema }));
const DecisionSummarySchema = apiRegistry.register('ReviewDecisionSummary', z.object(decisionFields));
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
  method: 'get', path: '/assets/{id}/reviews', operationId: 'listReviewDecisions', tags: ['review'], summary: 'The asset\'s review decisions with their notes, newest first (all versions, or ?version=)', security: bearer,
  request: { params: idOnly, query: decisionsQuery },
  responses: { 200: { description: 'A page of decisions', ...json(z.object({ data: z.array(DecisionSummarySchema), page: PageInfoSchema })) }, ...errorResponses(400, 401, 404) },
});
apiRegistry.registerPath({
  method: 'post', path: '/assets/{id}/versions/{v}/review', operationId: 'reviewVersion', tags: ['review'], summary: 'Approve or request changes (DIRECTOR, PRODUCER; broadcast as asset:approved)', security: bearer,
  request: { params: versionParams, body: jsonBody(reviewBody) },
  responses: { 201: { description: 'The decision, with the asset as it now stands', ...json(ReviewDecisionSchema) }, ...errorResponses(400, 401, 403, 404) },
});
