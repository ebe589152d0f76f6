// Request schemas of production tracking (projects, episodes, sequences, shots, casting, tasks, task
// types and statuses, notifications, search, editorial import) and their OpenAPI entries.
import { z } from 'zod';
import { PageInfoSchema, apiRegistry, bearer, errorResponses, json, jsonBody } from '../openapi';
import { idParams, objectId, pageQuery, queryInt, searchText } from './common.validators';
import { AssetSchema, AuditEventSchema } from './asset.validators';
import { PROJECT_STATUSES } from '../../../app/repositories/models/Project';
import { SHOT_STATUSES } from '../../../app/repositories/models/Shot';
import { TASK_ENTITIES } from '../../../app/repositories/models/Task';
import { TASK_TYPE_FOR } from '../../../app/repositories/models/TaskConfig';
import { NOTIFICATION_TYPES } from '../../../app/repositories/models/Notification';
import { DIGEST_FREQUENCIES } from '../../../app/repositories/models/DigestSetting';
import { SEARCH_KINDS } from '../../../app/services/SearchService';
import { GRID_SORTS, type GridSort } from '../../../app/repositories/ShotRepository';
import { BULK_TASK_LIMIT } from '../../../app/services/TaskService';

const name = z.string().trim().min(1).max(200);
/** Codes are import keys and file-system friendly: letters, digits, then also _ . - */
export const code = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'letters, digits, _ . - (starting with a letter or digit), at most 40');
const frame = z.number().int().min(-10_000_000).max(100_000_000);
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb colour');
export const rational = z
  .strictObject({ num: z.number().int().min(1).max(1_000_000), den: z.number().int().min(1).max(100_000) })
  .openapi({ description: 'A frame rate as a fraction: 24000/1001 for 23.976, never a rounded float' });
const members = z.array(objectId).max(1000);
const date = z
  .string()
  .max(40)
  .refine((v) => z.iso.date().safeParse(v).success || z.iso.datetime({ offset: true }).safeParse(v).success, 'must be YYYY-MM-DD or an ISO 8601 date-time')
  .openapi({ description: 'YYYY-MM-DD or an ISO 8601 date-time' });
const atLeastOne = <T extends z.ZodObject>(s: T) => s.refine((b) => Object.keys(b).length > 0, 'provide at least one field to change').openapi({ minProperties: 1 });

export const createProjectBody = z.strictObject({
  name,
  code,
  fps: rational.optional(),
  resolution: z.strictObject({ width: z.number().int().min(1).max(32_768), height: z.number().int().min(1).max(32_768) }).optional(),
  handles: z.number().int().min(0).max(1000).optional(),
  members: members.optional(),
});
export const updateProjectBody = atLeastOne(createProjectBody.omit({ code: true }).partial().extend({ status: z.enum(PROJECT_STATUSES).optional() }));
export const listProjectsQuery = pageQuery.extend({ status: z.enum(PROJECT_STATUSES).optional() });

export const createEpisodeBody = z.strictObject({ code, name: z.string().trim().max(200).optional(), order: z.number().int().min(0).max(1e12).optional() });
export const createSequenceBody = z.strictObject({
  code,
  name: z.string().trim().max(200).optional(),
  description: z.string().max(5000).optional(),
  episodeId: objectId.optional(),
  order: z.number().int().min(0).max(1e12).optional(),
});
export const updateSequenceBody = atLeastOne(z.strictObject({ name: z.string().trim().max(200).optional(), description: z.string().max(5000).optional(), order: z.number().int().min(0).max(1e12).optional() }));

const shotFields = {
  frameIn: frame,
  frameOut: frame,
  cutOrder: z.number().int().min(0).max(1e12).optional(),
  recordIn: frame.nullable().optional(),
  recordOut: frame.nullable().optional(),
  handles: z.number().int().min(0).max(1000).nullable().optional(),
  fps: rational.nullable().optional(),
  description: z.string().max(5000).optional(),
};
export const createShotBody = z.strictObject({ code: code.max(80), ...shotFields });
export const updateShotBody = atLeastOne(z.strictObject({ ...shotFields, frameIn: frame.optional(), frameOut: frame.optional(), status: z.enum(SHOT_STATUSES).optional() }));
export const castingBody = z.strictObject({ items: z.array(z.strictObject({ assetId: objectId, count: z.number().int().min(1).max(10_000) })).max(500) });
export const gridQuery = pageQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) });
/**
 * The shot grid in one of its orders, optionally only the shots whose code starts with q (in code order); a
 * page continues by cursor, or starts at a row number (at) or at a shot's code (code) for a jump.
 */
export const shotGridQuery = gridQuery
  .extend({
    sort: z.enum(Object.keys(GRID_SORTS) as [GridSort, ...GridSort[]]).default('cutOrder').openapi({ description: 'cutOrder (the cut), code, latestVersion, or due (the earliest due date of the shot\'s open tasks; none last)' }),
    order: z.enum(['asc', 'desc']).default('asc'),
    q: z.string().trim().min(1).max(80).optional().openapi({ description: 'Only shots whose code starts with this (any case); needs sort=code' }),
    at: queryInt(0, 10_000_000).optional().openapi({ description: 'Start at this row (0 is the first), for a jump; not with cursor or code' }),
    code: z.string().trim().min(1).max(80).optional().openapi({ description: 'Start at the shot with this code, for a jump; the answer\'s offset says its row; not with cursor or at' }),
  })
  .superRefine((q, ctx) => {
    const starts = (['cursor', 'at', 'code'] as const).filter((k) => q[k] !== undefined);
    if (starts.length > 1) ctx.addIssue({ code: 'custom', path: [starts[1]!], message: `give one place to start: ${starts.join(' or ')}, not both` });
    if (q.q !== undefined && q.sort !== 'code') ctx.addIssue({ code: 'custom', path: ['q'], message: 'a code search lists the matching shots in code order: add sort=code' });
  });

export const createTaskBody = z.strictObject({
  entityType: z.enum(TASK_ENTITIES),
  entityId: objectId,
  taskTypeId: objectId,
  name: z.string().trim().min(1).max(200).optional(),
  status: z.string().min(1).max(20).optional(),
  assignees: members.optional(),
  reviewers: z.array(objectId).max(20, 'at most 20 reviewers').optional().openapi({ description: 'Members told when a version is submitted for review; none: the studio\'s DIRECTORs' }),
  dueDate: date.nullable().optional(),
  estimateHours: z.number().min(0).max(100_000).nullable().optional(),
  priority: z.number().int().min(0).max(3).optional(),
});
export const updateTaskBody = atLeastOne(createTaskBody.pick({ name: true, status: true, assignees: true, reviewers: true, dueDate: true, estimateHours: true, priority: true }));
export const bulkUpdateTasksBody = z.strictObject({
  tasks: z
    .array(z.strictObject({ id: objectId, revision: z.number().int().min(1).max(1e12) }))
    .min(1, 'name at least one task')
    .max(BULK_TASK_LIMIT, `at most ${BULK_TASK_LIMIT} tasks at once: send the rest in another request`)
    .refine((ts) => new Set(ts.map((t) => t.id.toLowerCase())).size === ts.length, 'name each task once'),
  set: atLeastOne(createTaskBody.pick({ status: true, assignees: true })),
});
export const listTasksQuery = pageQuery.extend({
  assignee: z.union([objectId, z.literal('me')]).optional().openapi({ description: 'A member id, or `me`' }),
  status: z.string().min(1).max(20).optional(),
  taskTypeId: objectId.optional(),
  projectId: objectId.optional(),
});
export const submitTaskBody = z.strictObject({ version: z.number().int().min(1).max(1_000_000), note: z.string().trim().max(2000).optional() });

export const createTaskTypeBody = z.strictObject({ name: z.string().trim().min(1).max(80), color, order: z.number().int().min(0).max(1e9).optional(), for: z.enum(TASK_TYPE_FOR).optional() });
export const updateTaskTypeBody = atLeastOne(createTaskTypeBody.partial());
export const createTaskStatusBody = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{0,19}$/, 'upper-case letters, digits and _, at most 20'),
  name: z.string().trim().min(1).max(80),
  color,
  isDone: z.boolean().optional(),
  order: z.number().int().min(0).max(1e9).optional(),
});
export const updateTaskStatusBody = atLeastOne(createTaskStatusBody.omit({ code: true }).partial());

/** How many notifications one bulk mark-read names (a page of the list). */
export const BULK_READ_LIMIT = 100;
export const markNotificationsReadBody = z.strictObject({
  ids: z.array(objectId).min(1, 'name at least one notification').max(BULK_READ_LIMIT, `at most ${BULK_READ_LIMIT} notifications at once: send the rest in another request`),
});
export const digestBody = z.strictObject({ frequency: z.enum(DIGEST_FREQUENCIES).openapi({ description: 'OFF, or one mail an hour (HOURLY) or a day (DAILY) listing your unread notifications of the period' }) });
export const listNotificationsQuery = pageQuery.extend({ unread: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });
export const searchQuery = z.strictObject({
  q: searchText(100),
  types: z
    .string()
    .regex(/^(projects|assets|shots|tasks)(,(projects|assets|shots|tasks))*$/, 'a comma-separated list of projects, assets, shots, tasks')
    .optional()
    .transform((v) => (v ? (v.split(',') as Array<(typeof SEARCH_KINDS)[number]>) : [...SEARCH_KINDS])),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export const importQuery = z.strictObject({
  format: z.enum(['csv', 'edl', 'otio']),
  dryRun: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  expect: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'the digest of a dry run (64 hexadecimal characters)')
    .optional()
    .openapi({ description: 'On an apply: the digest of the dry run that was read. The apply is refused (412 EDITORIAL_CUT_CHANGED, nothing changed) when the file and the project now make other decisions' }),
});
export const sequenceIdParams = idParams;

// Response shapes.
export const ProjectSchema = apiRegistry.register(
  'Project',
  z.object({ id: z.string(), name: z.string(), code: z.string(), isDefault: z.boolean(), fps: rational, resolution: z.object({ width: z.number().int(), height: z.number().int() }), handles: z.number().int(), status: z.enum(PROJECT_STATUSES), members: z.array(z.string()), revision: z.number().int(), createdAt: z.string(), updatedAt: z.string() }),
);
const EpisodeSchema = apiRegistry.register('Episode', z.object({ id: z.string(), projectId: z.string(), code: z.string(), name: z.string(), order: z.number() }));
const SequenceSchema = apiRegistry.register('Sequence', z.object({ id: z.string(), projectId: z.string(), episodeId: z.string().nullable(), code: z.string(), name: z.string(), description: z.string(), order: z.number() }));
export const ShotSchema = apiRegistry.register(
  'Shot',
  z.object({
    id: z.string(),
    projectId: z.string(),
    sequenceId: z.string(),
    episodeId: z.string().nullable(),
    code: z.string(),
    cutOrder: z.number(),
    frameIn: z.number().int(),
    frameOut: z.number().int(),
    frames: z.number().int(),
    recordIn: z.number().int().nullable(),
    recordOut: z.number().int().nullable(),
    handles: z.number().int().nullable(),
    fps: rational.nullable(),
    description: z.string(),
    status: z.enum(SHOT_STATUSES),
    assetId: z.string().nullable().openapi({ description: 'The asset that carries the shot\'s versions, reviews and renders: use the /assets/{id}/… routes with it' }),
    latestVersion: z.number().int(),
    thumbnailUrl: z.string().nullable(),
    revision: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export const TaskSchema = apiRegistry.register(
  'Task',
  z.object({
    id: z.string(),
    projectId: z.string(),
    entityType: z.enum(TASK_ENTITIES),
    entityId: z.string(),
    assetId: z.string(),
    taskTypeId: z.string(),
    name: z.string(),
    status: z.string(),
    assignees: z.array(z.string()),
    reviewers: z.array(z.string()).openapi({ description: 'Told when a version is submitted for review; empty: the studio\'s DIRECTORs are' }),
    dueDate: z.string().nullable(),
    estimateHours: z.number().nullable(),
    priority: z.number().int(),
    submission: z.object({ assetId: z.string(), version: z.number().int(), by: z.string(), at: z.string() }).nullable(),
    revision: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
const TaskTypeSchema = apiRegistry.register('TaskType', z.object({ id: z.string(), name: z.string(), color: z.string(), order: z.number(), for: z.enum(TASK_TYPE_FOR) }));
const TaskStatusSchema = apiRegistry.register('TaskStatus', z.object({ id: z.string(), code: z.string(), name: z.string(), color: z.string(), isDone: z.boolean(), order: z.number(), system: z.boolean() }));
const NotificationSchema = apiRegistry.register(
  'Notification',
  z.object({ id: z.string(), type: z.enum(NOTIFICATION_TYPES), read: z.boolean(), actorId: z.string().nullable(), taskId: z.string().nullable(), assetId: z.string().nullable(), version: z.number().int().nullable(), commentId: z.string().nullable(), text: z.string(), createdAt: z.string() }),
);
const GridCellSchema = z.object({ id: z.string(), taskTypeId: z.string(), status: z.string(), assignees: z.array(z.string()), dueDate: z.string().nullable(), revision: z.number().int() });
const GridSchema = apiRegistry.register(
  'ShotGridPage',
  z.object({
    data: z.array(z.object({ shot: ShotSchema, tasks: z.array(GridCellSchema), nextDueDate: z.string().nullable().openapi({ description: 'The earliest due date of the shot\'s open tasks (what sort=due orders by)' }) })),
    page: PageInfoSchema,
    total: z.number().int().nullable().openapi({ description: 'How many shots this order (and search) has; null on a page continued by cursor' }),
    offset: z.number().int().nullable().openapi({ description: 'The row of the first shot of this page (0 is the first); null on a page continued by cursor' }),
    taskTypes: z.array(TaskTypeSchema),
    statuses: z.array(TaskStatusSchema),
  }),
);
const AssetGridSchema = apiRegistry.register(
  'AssetGridPage',
  z.object({
    data: z.array(z.object({ asset: AssetSchema, tasks: z.array(GridCellSchema) })),
    page: PageInfoSchema,
    taskTypes: z.array(TaskTypeSchema),
    statuses: z.array(TaskStatusSchema),
  }),
);
const ShotRef = z.object({ code: z.string(), sequence: z.string(), frameIn: z.number().int(), frameOut: z.number().int(), recordIn: z.number().int().nullable(), recordOut: z.number().int().nullable(), fps: rational.nullable() });
const Affects = apiRegistry.register(
  'EditorialAffects',
  z.object({ tasks: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })), versions: z.number().int(), renders: z.number().int() }).openapi({ description: 'The work on a shot: its tasks, how many versions it has, how many renders were made of it' }),
);
const ImportReportSchema = apiRegistry.register(
  'EditorialImportReport',
  z.object({
    dryRun: z.boolean(),
    format: z.enum(['csv', 'edl', 'otio']),
    digest: z.string().openapi({ description: 'What the import decides, hashed (not the work it lists): give it as `expect` to apply only what this dry run showed' }),
    sequences: z.object({ new: z.array(z.string()), existing: z.array(z.string()) }),
    shots: z.object({
      new: z.array(ShotRef),
      removed: z.array(z.string()).openapi({ description: 'The codes of the shots the file leaves out: applying marks them OMITTED' }),
      omitted: z.array(z.object({ code: z.string(), affects: Affects })).openapi({ description: 'The shots of `removed`, in its order, each with the work it carries' }),
      retimed: z.array(z.object({ code: z.string(), from: ShotRef, to: ShotRef, affects: Affects })).openapi({ description: 'Source range or rate changed: the work on the shot may no longer fit' }),
      moved: z
        .array(z.object({ code: z.string(), from: ShotRef, to: ShotRef, returning: z.boolean().openapi({ description: 'The shot was omitted and comes back into the cut' }) }))
        .openapi({ description: 'Only the shot\'s place in the cut changes (record range, order, sequence), or it comes back into the cut' }),
      unchanged: z.number().int(),
    }),
  }),
);

const page = <T extends z.ZodType>(item: T) => json(z.object({ data: z.array(item), page: PageInfoSchema }));
const idOnly = z.object({ id: objectId });
const ifMatch = z.object({ 'if-match': z.string().optional() });
const reg = (method: 'get' | 'post' | 'patch' | 'put', path: string, operationId: string, summary: string, request: Record<string, unknown>, ok: Record<number, unknown>, errors: number[]) =>
  apiRegistry.registerPath({ method, path, operationId, tags: ['production'], summary, security: bearer, request, responses: { ...ok, ...errorResponses(...errors) } } as Parameters<typeof apiRegistry.registerPath>[0]);

reg('get', '/projects', 'listProjects', 'Projects of the studio, by name', { query: listProjectsQuery }, { 200: { description: 'A page of projects', ...page(ProjectSchema) } }, [400, 401]);
reg('post', '/projects', 'createProject', 'Create a project (PRODUCER)', { body: jsonBody(createProjectBody) }, { 201: { description: 'Created', ...json(ProjectSchema) } }, [400, 401, 403, 409]);
reg('get', '/projects/{id}', 'getProject', 'One project', { params: idOnly }, { 200: { description: 'The project', ...json(ProjectSchema) } }, [400, 401, 404]);
reg('patch', '/projects/{id}', 'updateProject', 'Change a project: name, rate, resolution, handles, status, members (PRODUCER)', { params: idOnly, headers: ifMatch, body: jsonBody(updateProjectBody) }, { 200: { description: 'Updated', ...json(ProjectSchema) } }, [400, 401, 403, 404, 412]);
reg('get', '/projects/{id}/episodes', 'listEpisodes', 'Episodes of a project, in order', { params: idOnly, query: pageQuery }, { 200: { description: 'A page of episodes', ...page(EpisodeSchema) } }, [400, 401, 404]);
reg('post', '/projects/{id}/episodes', 'createEpisode', 'Add an episode (DIRECTOR, PRODUCER)', { params: idOnly, body: jsonBody(createEpisodeBody) }, { 201: { description: 'Created', ...json(EpisodeSchema) } }, [400, 401, 403, 404, 409]);
reg('get', '/projects/{id}/sequences', 'listSequences', 'Sequences of a project, in order', { params: idOnly, query: pageQuery }, { 200: { description: 'A page of sequences', ...page(SequenceSchema) } }, [400, 401, 404]);
reg('post', '/projects/{id}/sequences', 'createSequence', 'Add a sequence (DIRECTOR, PRODUCER)', { params: idOnly, body: jsonBody(createSequenceBody) }, { 201: { description: 'Created', ...json(SequenceSchema) } }, [400, 401, 403, 404, 409]);
reg('get', '/projects/{id}/grid', 'getShotGrid', 'The shot grid: shots in cut order (or by code, latest version or next due date) with their tasks\' statuses, one page per call; with the count and the first row\'s position unless continued by cursor', { params: idOnly, query: shotGridQuery }, { 200: { description: 'A page of the grid', ...json(GridSchema) } }, [400, 401, 404]);
reg('get', '/projects/{id}/asset-grid', 'getAssetGrid', 'The asset grid: the project\'s assets by name with their tasks\' statuses, one page per call', { params: idOnly, query: gridQuery }, { 200: { description: 'A page of the grid', ...json(AssetGridSchema) } }, [400, 401, 404]);
reg('get', '/sequences/{id}', 'getSequence', 'One sequence', { params: idOnly }, { 200: { description: 'The sequence', ...json(SequenceSchema) } }, [400, 401, 404]);
reg('patch', '/sequences/{id}', 'updateSequence', 'Change a sequence (DIRECTOR, PRODUCER)', { params: idOnly, body: jsonBody(updateSequenceBody) }, { 200: { description: 'Updated', ...json(SequenceSchema) } }, [400, 401, 403, 404]);
reg('get', '/sequences/{id}/shots', 'listSequenceShots', 'Shots of a sequence in cut order', { params: idOnly, query: pageQuery }, { 200: { description: 'A page of shots', ...page(ShotSchema) } }, [400, 401, 404]);
reg('post', '/sequences/{id}/shots', 'createShot', 'Add a shot, with the asset that will carry its versions (DIRECTOR, PRODUCER)', { params: idOnly, body: jsonBody(createShotBody) }, { 201: { description: 'Created', ...json(ShotSchema) } }, [400, 401, 403, 404, 409]);
reg('get', '/shots/{id}', 'getShot', 'One shot', { params: idOnly }, { 200: { description: 'The shot', ...json(ShotSchema) } }, [400, 401, 404]);
reg('patch', '/shots/{id}', 'updateShot', 'Change a shot\'s range, order, handles, rate, description or status (DIRECTOR, PRODUCER)', { params: idOnly, headers: ifMatch, body: jsonBody(updateShotBody) }, { 200: { description: 'Updated', ...json(ShotSchema) } }, [400, 401, 403, 404, 412]);
const ShotCasting = z.object({ data: z.array(z.object({ shotId: z.string(), assetId: z.string(), count: z.number().int(), assetName: z.string(), assetType: z.string() })) });
const AssetCasting = z.object({ data: z.array(z.object({ shotId: z.string(), assetId: z.string(), count: z.number().int(), shotCode: z.string(), sequenceId: z.string() })) });
reg('get', '/shots/{id}/casting', 'getShotCasting', 'The assets in a shot, with counts', { params: idOnly }, { 200: { description: 'Casting', ...json(ShotCasting) } }, [400, 401, 404]);
reg('put', '/shots/{id}/casting', 'setShotCasting', 'Replace the assets in a shot (DIRECTOR, PRODUCER)', { params: idOnly, body: jsonBody(castingBody) }, { 200: { description: 'Casting', ...json(z.object({ data: z.array(z.object({ shotId: z.string(), assetId: z.string(), count: z.number().int() })) })) } }, [400, 401, 403, 404]);
reg('get', '/assets/{id}/casting', 'getAssetCasting', 'The shots an asset appears in, with counts', { params: idOnly }, { 200: { description: 'Casting', ...json(AssetCasting) } }, [400, 401, 404]);

reg('get', '/tasks', 'listTasks', 'Tasks by due date (undated last); ?assignee=me is "my tasks"', { query: listTasksQuery }, { 200: { description: 'A page of tasks', ...page(TaskSchema) } }, [400, 401]);
const TaskPermissionsSchema = apiRegistry.register(
  'TaskPermissions',
  z.object({
    create: z.boolean().openapi({ description: 'May create tasks' }),
    assign: z.boolean().openapi({ description: 'May assign and plan tasks (assignees, due dates)' }),
    anyStatus: z.boolean().openapi({ description: 'May move any task to any status' }),
    ownStatus: z.boolean().openapi({ description: 'May move the tasks assigned to them along ownMoves' }),
    ownMoves: z.array(z.object({ from: z.string(), to: z.array(z.string()) })).openapi({ description: 'The moves an assignee makes on their own task (without anyStatus)' }),
    bulkLimit: z.number().int().openapi({ description: 'How many tasks one bulk edit may name' }),
  }),
);
const BulkResultSchema = apiRegistry.register(
  'TaskBulkResult',
  z.object({
    results: z.array(z.object({ id: z.string(), ok: z.boolean(), task: TaskSchema.optional().openapi({ description: 'The task as changed, when ok' }), error: z.object({ code: z.string(), message: z.string() }).optional().openapi({ description: 'Why this task was not changed, when not ok' }) })).openapi({ description: 'One per task, in the order asked' }),
    updated: z.number().int(),
    failed: z.number().int(),
  }),
);
reg('get', '/task-permissions', 'getTaskPermissions', 'What you may do with tasks: create, assign, which statuses you may move which tasks to', {}, { 200: { description: 'Your task permissions', ...json(TaskPermissionsSchema) } }, [401]);
reg('post', '/tasks/bulk', 'bulkUpdateTasks', `Set the status and/or assignees of up to ${BULK_TASK_LIMIT} tasks in one request: each task is checked (its revision, who may move it) and answered on its own`, { body: jsonBody(bulkUpdateTasksBody) }, { 200: { description: 'One result per task', ...json(BulkResultSchema) } }, [400, 401, 403, 404]);
reg('post', '/tasks', 'createTask', 'Create a task on an asset or a shot (DIRECTOR, PRODUCER)', { body: jsonBody(createTaskBody) }, { 201: { description: 'Created', ...json(TaskSchema) } }, [400, 401, 403, 404, 409]);
reg('get', '/tasks/{id}', 'getTask', 'One task', { params: idOnly }, { 200: { description: 'The task', ...json(TaskSchema) } }, [400, 401, 404]);
reg('patch', '/tasks/{id}', 'updateTask', 'Assign, plan or move a task (assignees move their own TODO/READY/RETAKE → WIP → WFA)', { params: idOnly, headers: ifMatch, body: jsonBody(updateTaskBody) }, { 200: { description: 'Updated', ...json(TaskSchema) } }, [400, 401, 403, 404, 412]);
reg('post', '/tasks/{id}/submit', 'submitTaskVersion', 'Submit a version for the task: it waits for approval (WFA) until a review decides', { params: idOnly, body: jsonBody(submitTaskBody) }, { 200: { description: 'The task', ...json(TaskSchema) } }, [400, 401, 403, 404, 412]);
reg('get', '/tasks/{id}/history', 'getTaskHistory', 'The task\'s audit trail, newest first (assignments, moves, submissions, review outcomes)', { params: idOnly, query: pageQuery }, { 200: { description: 'A page of audit events', ...page(AuditEventSchema) } }, [400, 401, 404]);
const WaitingReviewSchema = apiRegistry.register(
  'WaitingReview',
  z.object({
    task: TaskSchema,
    project: z.object({ id: z.string(), name: z.string() }).nullable(),
    entity: z.object({ type: z.enum(TASK_ENTITIES), id: z.string(), label: z.string().openapi({ description: 'The shot\'s code or the asset\'s name' }) }),
    assetId: z.string().openapi({ description: 'The asset whose version was submitted (a shot\'s backing asset for a shot)' }),
    version: z.number().int(),
    latestVersion: z.number().int().nullable().openapi({ description: 'The asset\'s newest version: a later one may have come since the submission' }),
    submittedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    submittedAt: z.string(),
  }),
);
reg('get', '/review-queue', 'listWaitingReviews', 'Versions waiting for review (tasks in WFA with a submitted version), oldest submission first (DIRECTOR, PRODUCER)', { query: pageQuery }, { 200: { description: 'A page of waiting reviews', ...page(WaitingReviewSchema) } }, [400, 401, 403]);
reg('get', '/task-types', 'listTaskTypes', 'The studio\'s task types', {}, { 200: { description: 'Task types', ...json(z.object({ data: z.array(TaskTypeSchema) })) } }, [401]);
reg('post', '/task-types', 'createTaskType', 'Add a task type (PRODUCER)', { body: jsonBody(createTaskTypeBody) }, { 201: { description: 'Created', ...json(TaskTypeSchema) } }, [400, 401, 403, 409]);
reg('patch', '/task-types/{id}', 'updateTaskType', 'Change a task type (PRODUCER)', { params: idOnly, body: jsonBody(updateTaskTypeBody) }, { 200: { description: 'Updated', ...json(TaskTypeSchema) } }, [400, 401, 403, 404, 409]);
reg('get', '/task-statuses', 'listTaskStatuses', 'The studio\'s task statuses', {}, { 200: { description: 'Task statuses', ...json(z.object({ data: z.array(TaskStatusSchema) })) } }, [401]);
reg('post', '/task-statuses', 'createTaskStatus', 'Add a task status (PRODUCER)', { body: jsonBody(createTaskStatusBody) }, { 201: { description: 'Created', ...json(TaskStatusSchema) } }, [400, 401, 403, 409]);
reg('patch', '/task-statuses/{id}', 'updateTaskStatus', 'Rename or recolour a task status (PRODUCER)', { params: idOnly, body: jsonBody(updateTaskStatusBody) }, { 200: { description: 'Updated', ...json(TaskStatusSchema) } }, [400, 401, 403, 404, 409]);

reg('get', '/notifications', 'listNotifications', 'Your notifications, newest first', { query: listNotificationsQuery }, { 200: { description: 'A page of notifications', ...page(NotificationSchema) } }, [400, 401]);
reg('get', '/notifications/unread-count', 'countUnreadNotifications', 'How many of your notifications are unread', {}, { 200: { description: 'The count', ...json(z.object({ unread: z.number().int() })) } }, [401]);
reg('post', '/notifications/{id}/read', 'markNotificationRead', 'Mark one of your notifications read', { params: idOnly }, { 200: { description: 'The notification', ...json(NotificationSchema) } }, [400, 401, 404]);
reg('post', '/notifications/read', 'markNotificationsRead', `Mark up to ${BULK_READ_LIMIT} of your notifications read (others' and unknown ids are ignored)`, { body: jsonBody(markNotificationsReadBody) }, { 200: { description: 'How many of them were unread', ...json(z.object({ marked: z.number().int() })) } }, [400, 401]);
const DigestSchema = apiRegistry.register('NotificationDigest', z.object({ frequency: z.enum(DIGEST_FREQUENCIES), nextAt: z.string().nullable().openapi({ description: 'When the next digest is due; null when off' }) }));
reg('get', '/notifications/digest', 'getNotificationDigest', 'Your email digest of unread notifications: off, hourly or daily', {}, { 200: { description: 'Your digest setting', ...json(DigestSchema) } }, [401]);
reg('put', '/notifications/digest', 'setNotificationDigest', 'Turn your email digest off, or have one mail an hour or a day list your unread notifications', { body: jsonBody(digestBody) }, { 200: { description: 'Your digest setting', ...json(DigestSchema) } }, [400, 401]);
reg('post', '/notifications/read-all', 'markAllNotificationsRead', 'Mark all your notifications read', {}, { 200: { description: 'How many were unread', ...json(z.object({ marked: z.number().int() })) } }, [401]);
reg('get', '/search', 'search', 'Projects, assets and tasks whose name has words starting with each word of q, and shots whose code starts with q', { query: searchQuery }, { 200: { description: 'Matches per kind', ...json(z.object({ projects: z.array(ProjectSchema), assets: z.array(AssetSchema), shots: z.array(ShotSchema), tasks: z.array(TaskSchema) })) } }, [400, 401]);

reg(
  'post',
  '/projects/{id}/editorial/import',
  'importEditorial',
  'Create or update sequences and shots from a CSV, a CMX 3600 EDL or an OpenTimelineIO timeline; dryRun (the default) only reports (DIRECTOR, PRODUCER). Files up to 8 MiB (CSV, EDL) or 32 MiB (OTIO) and 10,000 shots',
  {
    params: idOnly,
    query: importQuery,
    body: {
      required: true,
      content: {
        'text/csv': { schema: z.string() },
        'text/plain': { schema: z.string() },
        'application/x-edl': { schema: z.string() },
        'application/vnd.opentimelineio+json': { schema: z.string() },
        'application/octet-stream': { schema: z.string() },
      },
    },
  },
  { 200: { description: 'What changes (dryRun) or changed', ...json(ImportReportSchema) } },
  [400, 401, 403, 404, 412, 413, 415, 422, 503],
);
reg('get', '/projects/{id}/editorial/export', 'exportEditorial', 'The project\'s current cut as an OpenTimelineIO timeline', { params: idOnly }, { 200: { description: 'An .otio document', content: { 'application/vnd.opentimelineio+json': { schema: z.object({ OTIO_SCHEMA: z.string(), name: z.string(), tracks: z.object({ OTIO_SCHEMA: z.string() }).openapi({ additionalProperties: {} }) }).openapi({ additionalProperties: {} }) } } } }, [400, 401, 404]);
