// Every server-to-client Socket.IO event with its payload and its visibility class, the room names built
// from them, and the emitter that lets a process without a Socket.IO server (the workers) emit through Redis.
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { VisibilityClass } from '../../app/services/EventVisibility';
import type { WebhookDisabledEvent } from '../../app/services/WebhookService';
import type { AssetDto, CommentDto, ReviewDto, VersionDto, ProjectDto, ShotDto, TaskDto, CastingDto, NotificationDto } from '../../app/dto';

/** Server-to-client events that workers send to a studio, with their payloads. */
export interface WorkerEventMap {
  'pipeline:update': { assetId: string; version: number; status: string; step?: string; error?: { code: string; message: string } | null };
  'render:completed': { jobId: string; assetId: string; frames: number; preview: boolean };
  'render:failed': { jobId: string; assetId: string; error: { code: string; message: string } };
  'webhook:disabled': WebhookDisabledEvent;
}

/** Every event that goes to a studio (asset-room events are in AssetEventMap). */
export interface ServerEventMap extends WorkerEventMap {
  'asset:created': AssetDto;
  'asset:updated': AssetDto & { changes: string[] };
  'asset:version:created': VersionDto;
  'asset:commented': CommentDto;
  'asset:approved': ReviewDto;
  'project:created': ProjectDto;
  'project:updated': ProjectDto & { changes: string[] };
  'shot:created': ShotDto;
  'shot:updated': ShotDto & { changes: string[] };
  'task:created': TaskDto;
  'task:updated': TaskDto & { changes: string[]; from: string | null; reason: string };
  'casting:updated': { shotId: string; casting: CastingDto[] };
  'editorial:imported': { projectId: string; created: number; updated: number; omitted: number };
}

/**
 * Events that go only to the sockets that joined an asset (`asset:join`): the high-volume and
 * per-viewer ones, which a studio-wide dashboard does not need.
 */
export interface AssetEventMap {
  'render:progress': { jobId: string; assetId: string; progress: number; frame: number; chunk: number };
  'asset:presence': { assetId: string; userId: string; action: 'joined' | 'left' };
}

/** Server-to-client events for one member's sockets only (the `user:<id>` room). */
export interface UserEventMap {
  'notification:new': NotificationDto;
}

/**
 * The visibility class of every event (the rule is in EventVisibility): a studio's and an asset's events go
 * to one sub-room per class, `studio:<id>:<class>` and `asset:<id>:<class>`, and a socket is in the sub-rooms
 * of the classes its actor may see, so a broadcast never reaches a socket that may not read it.
 */
export const STUDIO_EVENT_CLASS = {
  'asset:created': 'assets',
  'asset:updated': 'assets',
  'asset:version:created': 'assets',
  'asset:commented': 'assets',
  'asset:approved': 'assets',
  'pipeline:update': 'assets',
  'render:completed': 'renders',
  'render:failed': 'renders',
  'webhook:disabled': 'webhooks',
  'project:created': 'production',
  'project:updated': 'production',
  'shot:created': 'production',
  'shot:updated': 'production',
  'task:created': 'production',
  'task:updated': 'production',
  'casting:updated': 'production',
  'editorial:imported': 'production',
} as const satisfies Record<keyof ServerEventMap, VisibilityClass>;

export const ASSET_EVENT_CLASS = {
  'asset:presence': 'assets',
  'render:progress': 'renders',
} as const satisfies Record<keyof AssetEventMap, VisibilityClass>;

/** The one class of the member's own room (`notification:new`). */
export const USER_ROOM_CLASS: VisibilityClass = 'notifications';

const classesOf = (table: Record<string, VisibilityClass>): readonly VisibilityClass[] => [...new Set(Object.values(table))];
/** The sub-rooms a studio's events use, and an asset's. */
export const STUDIO_ROOM_CLASSES = classesOf(STUDIO_EVENT_CLASS);
export const ASSET_ROOM_CLASSES = classesOf(ASSET_EVENT_CLASS);

export const rooms = {
  studio: (studioId: string, cls: VisibilityClass) => `studio:${studioId}:${cls}`,
  asset: (assetId: string, cls: VisibilityClass) => `asset:${assetId}:${cls}`,
  /** `notification:new` only: joined by sockets whose actor may read their notifications. */
  user: (userId: string) => `user:${userId}`,
  /** Never emitted to: every socket of a member or of a token is in these, so a session's end or a revocation can end them. */
  member: (userId: string) => `member:${userId}`,
  token: (tokenId: string) => `token:${tokenId}`,
};

export const studioRoom = (studioId: string, event: keyof ServerEventMap) => rooms.studio(studioId, STUDIO_EVENT_CLASS[event]);
export const assetRoom = (assetId: string, event: keyof AssetEventMap) => rooms.asset(assetId, ASSET_EVENT_CLASS[event]);

export const socketKey = (redisKeyPrefix: string) => `${redisKeyPrefix}socket.io`;

export class StudioEmitter {
  private readonly emitter: Emitter;

  constructor(redis: Redis, redisKeyPrefix: string) {
    // The emitter publishes and drops the promise: while Redis is away that would be an unhandled
    // rejection, which ends the worker process. Events are best effort, so a failed publish is dropped.
    const publisher = { publish: (channel: string, message: string | Buffer) => redis.publish(channel, message).catch(() => 0) };
    this.emitter = new Emitter(publisher, { key: socketKey(redisKeyPrefix) });
  }

  /** Only ever to one studio's room for the event's class: no event crosses studios or classes. */
  toStudio<E extends keyof WorkerEventMap>(studioId: string, event: E, payload: WorkerEventMap[E]): void {
    this.emitter.to(studioRoom(studioId, event)).emit(event, payload);
  }

  /** To the sockets that joined the asset and may see the event's class; they passed the tenancy check of `asset:join`. */
  toAsset<E extends keyof AssetEventMap>(assetId: string, event: E, payload: AssetEventMap[E]): void {
    this.emitter.to(assetRoom(assetId, event)).emit(event, payload);
  }
}
