// Every TanStack Query key of the app, made here and nowhere else (eslint.config.mjs refuses a key literal
// outside this file). A key starts with its resource and then the shape of what its entry holds:
//   'list'     an array (one request, a page of the first N),
//   'infinite' TanStack's { pages, pageParams } (pages over the API's cursors),
//   'detail'   one object (or null where "none" is an answer),
//   'count'    a number.
// So a page caching a resource as pages and another reading it as an array can never share an entry (issue
// 28: the asset page's infinite versions read as an array by the review page, the members page's infinite
// users read as an array by the review's names). Keys are tagged with their data type, so setQueryData and
// getQueryData are type-checked against what the entry holds.
import type { DataTag, InfiniteData, QueryFilters } from '@tanstack/react-query';
import type { components, paths } from './schema';

type S = components['schemas'];
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
type Pages<T> = InfiniteData<T, string | undefined>;

export type AssetListPage = Ok<'/assets', 'get'>;
export type AssetHistoryPage = Ok<'/assets/{id}/history', 'get'>;
export type VersionPage = Ok<'/assets/{id}/versions', 'get'>;
export type UserPage = Ok<'/users', 'get'>;
export type RenderJobPage = Ok<'/render-jobs', 'get'>;
export type GridPage = S['ShotGridPage'] | S['AssetGridPage'];
export type CastItem = Ok<'/shots/{id}/casting', 'get'>['data'][number];
export type TaskHistoryEvent = Ok<'/tasks/{id}/history', 'get'>['data'][number];
export type ReviewQueuePage = Ok<'/review-queue', 'get'>;
export type NotificationPage = Ok<'/notifications', 'get'>;
/** What the assets list filters by (the query string of /assets, and the list's cache key). */
export interface AssetFilters {
  q?: string;
  type?: S['Asset']['type'];
  status?: S['Asset']['status'];
  tag?: string;
  sort: 'createdAt' | 'updatedAt' | 'name';
  order: 'asc' | 'desc';
}
/** The shot grid's server-side view: its order and its code search. */
export interface GridView { sort: 'cutOrder' | 'code' | 'latestVersion' | 'due'; order: 'asc' | 'desc'; q?: string }
export interface RenderFilters { status?: S['RenderJob']['status']; assetId?: string }

/** A key of this shape, tagged with the type of data its entry holds. */
const key = <T>() => <const K extends readonly unknown[]>(k: K) => k as DataTag<K, T>;

/** Matches every query of a resource about one asset, whatever its shape (key[2] is the asset's id). */
const ofAsset = (resource: string, assetId: string): QueryFilters => ({ predicate: (q) => q.queryKey[0] === resource && q.queryKey[2] === assetId });

export const keys = {
  assets: {
    all: () => ['assets'] as const,
    /** Every cached assets list, for folding live events into each (applyAssetEvent). */
    infinites: () => ['assets', 'infinite'] as const,
    infinite: (filters: AssetFilters) => key<Pages<AssetListPage>>()(['assets', 'infinite', filters]),
    /** A project's assets, the first 100 (the breakdown's casting picker). */
    list: (query: { projectId: string }) => key<S['Asset'][]>()(['assets', 'list', query]),
    detail: (id: string) => key<S['Asset']>()(['assets', 'detail', id]),
  },
  assetHistory: {
    infinite: (assetId: string) => key<Pages<AssetHistoryPage>>()(['asset-history', 'infinite', assetId]),
  },
  versions: {
    /** The asset page's table: pages of 20, newest first. */
    infinite: (assetId: string) => key<Pages<VersionPage>>()(['versions', 'infinite', assetId, { limit: 20 }]),
    /** The newest 100 as one array: the review page's versions bar and compare, a task's versions. */
    list: (assetId: string) => key<S['AssetVersion'][]>()(['versions', 'list', assetId]),
    detail: (assetId: string, version: number | null) => key<S['AssetVersion']>()(['versions', 'detail', assetId, version]),
    /** Every versions query of the asset, any shape: what a new version makes stale. */
    ofAsset: (assetId: string) => ofAsset('versions', assetId),
  },
  pipelines: {
    /** null: the version has no pipeline record (a 404 is that answer). */
    detail: (assetId: string, version: number | null) => key<S['AssetPipeline'] | null>()(['pipelines', 'detail', assetId, version]),
  },
  media: {
    all: () => ['media'] as const,
    /** An object URL of a version's thumbnail or preview, null while the pipeline has made none. */
    detail: (assetId: string, version: number, which: 'thumbnail' | 'preview') => key<string | null>()(['media', 'detail', assetId, version, which]),
    /** Both media of one version. */
    ofVersion: (assetId: string, version: number) => ['media', 'detail', assetId, version] as const,
  },
  comments: {
    /** Every comment of the asset (all pages), merged with live ones in seq order. */
    list: (assetId: string) => key<S['Comment'][]>()(['comments', 'list', assetId]),
  },
  users: {
    all: () => ['users'] as const,
    /** The studio's first 100 members: names for "who did this", assignee pickers. */
    list: () => key<S['User'][]>()(['users', 'list', { limit: 100 }]),
    /** The members page's table: pages of 50. */
    infinite: () => key<Pages<UserPage>>()(['users', 'infinite', { limit: 50 }]),
  },
  invitations: {
    all: () => ['invitations'] as const,
    list: () => key<S['Invitation'][]>()(['invitations', 'list', { limit: 50 }]),
  },
  /** What a registration link will do (the verify-email page, before its holder submits). */
  registrationPreviews: {
    detail: (token: string) => key<Ok<'/auth/verify-email/preview', 'get'>>()(['registration-previews', 'detail', token]),
  },
  /** What an invitation link is for (the accept page, signed out). */
  invitationPreviews: {
    detail: (token: string) => key<S['InvitationPreview']>()(['invitation-previews', 'detail', token]),
  },
  studios: {
    mine: () => key<S['Membership'][]>()(['studios', 'list', 'mine']),
    /** Which of the caller's other studios holds a linked asset, project or task (none or one). */
    holding: (kind: 'asset' | 'project' | 'task', id: string) => key<S['Membership'][]>()(['studios', 'list', 'holding', kind, id]),
  },
  renders: {
    all: () => ['renders'] as const,
    infinite: (filters: RenderFilters) => key<Pages<RenderJobPage>>()(['renders', 'infinite', filters]),
    detail: (jobId: string) => key<S['RenderJob']>()(['renders', 'detail', jobId]),
  },
  notifications: {
    all: () => ['notifications'] as const,
    unread: () => key<number>()(['notifications', 'count', 'unread']),
    list: () => key<S['Notification'][]>()(['notifications', 'list', { limit: 30 }]),
  },
  projects: {
    list: () => key<S['Project'][]>()(['projects', 'list', { limit: 100 }]),
    detail: (id: string) => key<S['Project']>()(['projects', 'detail', id]),
  },
  sequences: {
    list: (projectId: string) => key<S['Sequence'][]>()(['sequences', 'list', projectId]),
  },
  shots: {
    all: () => ['shots'] as const,
    detail: (id: string) => key<S['Shot']>()(['shots', 'detail', id]),
  },
  grids: {
    /** Every loaded grid of a project (shots and assets), for folding task and shot events in. */
    ofProject: (projectId: string) => ['grids', 'infinite', projectId] as const,
    infinite: (projectId: string, kind: 'SHOT' | 'ASSET') => key<Pages<GridPage>>()(['grids', 'infinite', projectId, kind]),
  },
  casting: {
    list: (shotId: string) => key<CastItem[]>()(['casting', 'list', shotId]),
  },
  taskStatuses: { list: () => key<S['TaskStatus'][]>()(['task-statuses', 'list']) },
  taskTypes: { list: () => key<S['TaskType'][]>()(['task-types', 'list']) },
  tasks: {
    all: () => ['tasks'] as const,
    mine: () => key<S['Task'][]>()(['tasks', 'list', { assignee: 'me', limit: 100 }]),
    detail: (id: string) => key<S['Task']>()(['tasks', 'detail', id]),
  },
  taskHistory: {
    list: (taskId: string) => key<TaskHistoryEvent[]>()(['task-history', 'list', taskId]),
  },
  /** The caller's own API tokens (the tokens page): the whole answer of GET /tokens. */
  tokens: {
    all: () => ['tokens'] as const,
    list: () => key<Ok<'/tokens', 'get'>>()(['tokens', 'list']),
  },
  bots: {
    list: () => key<Ok<'/bots', 'get'>['data']>()(['bots', 'list']),
  },
  botTokens: {
    all: () => ['bot-tokens'] as const,
    list: (botId: string) => key<Ok<'/bots/{id}/tokens', 'get'>['data']>()(['bot-tokens', 'list', botId]),
  },
  /** Which account a password-reset link is for (the reset page, signed out). */
  passwordResetPreviews: {
    detail: (token: string) => key<Ok<'/auth/password-reset/preview', 'get'>>()(['password-reset-previews', 'detail', token]),
  },
  /** The tasks of one project on the task board (GET /tasks?projectId, by due date, the first 100). */
  taskBoard: {
    list: (projectId: string) => key<S['Task'][]>()(['tasks', 'list', { projectId, limit: 100 }]),
  },
  taskPermissions: { detail: () => key<Ok<'/task-permissions', 'get'>>()(['task-permissions', 'detail']) },
  /** A sequence's shots in cut order, the first 100 (the project settings page's shot table). */
  sequenceShots: {
    all: () => ['sequence-shots'] as const,
    list: (sequenceId: string) => key<S['Shot'][]>()(['sequence-shots', 'list', sequenceId]),
  },
  /** The shot grid fetched by row window: one page of `size` rows from row index*size, per view (sort, order, search). */
  gridWindows: {
    ofProject: (projectId: string) => ['grid-windows', 'detail', projectId] as const,
    ofView: (projectId: string, view: GridView) => ['grid-windows', 'detail', projectId, view] as const,
    detail: (projectId: string, view: GridView, index: number) => key<S['ShotGridPage']>()(['grid-windows', 'detail', projectId, view, index]),
  },
  /** An asset's review decisions with their words, newest first (the review page, the task page). */
  reviewDecisions: {
    list: (assetId: string) => key<S['ReviewDecisionSummary'][]>()(['review-decisions', 'list', assetId]),
  },
  /** The versions waiting for review, oldest first (the inbox's queue): pages of 50. */
  reviewQueue: {
    infinite: () => key<Pages<ReviewQueuePage>>()(['review-queue', 'infinite', { limit: 50 }]),
  },
  /** The member's email digest setting (off, hourly, daily). */
  notificationDigest: { detail: () => key<S['NotificationDigest']>()(['notification-digest', 'detail']) },
  /** The notifications page: pages of 100, all or unread only. */
  notificationPages: {
    infinite: (unread: boolean) => key<Pages<NotificationPage>>()(['notifications', 'infinite', { unread, limit: 100 }]),
  },
  /** The studio admin pages (web/src/admin): webhooks, their delivery logs, storage usage. */
  webhooks: {
    all: () => ['webhooks'] as const,
    list: () => key<S['Webhook'][]>()(['webhooks', 'list']),
  },
  webhookDeliveries: {
    all: () => ['webhook-deliveries'] as const,
    /** The newest delivery of each endpoint (the list's "last delivery"). */
    latest: (webhookId: string) => key<S['WebhookDelivery'] | null>()(['webhook-deliveries', 'detail', webhookId, 'latest']),
    infinite: (webhookId: string) => key<Pages<Ok<'/webhooks/{id}/deliveries', 'get'>>>()(['webhook-deliveries', 'infinite', webhookId, { limit: 20 }]),
  },
  storageUsage: {
    all: () => ['storage-usage'] as const,
    detail: () => key<S['StorageUsage']>()(['storage-usage', 'detail']),
    assets: () => key<Pages<Ok<'/storage/usage/assets', 'get'>>>()(['storage-usage', 'infinite', 'assets', { limit: 25 }]),
  },
  /** The top bar's search: GET /search's whole answer for one query. */
  search: {
    results: (q: string) => key<Ok<'/search', 'get'>>()(['search', 'detail', q]),
  },
} as const;
