// Lets a process without a Socket.IO server (the workers) emit into studio rooms through Redis.
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';

/** Server-to-client events that go to a whole studio's room, with their payloads. */
export interface WorkerEventMap {
  'pipeline:update': { assetId: string; version: number; status: string; step?: string; error?: { code: string; message: string } | null };
  'render:completed': { jobId: string; assetId: string; frames: number; preview: boolean };
  'render:failed': { jobId: string; assetId: string; error: { code: string; message: string } };
  'webhook:disabled': { webhookId: string; url: string; reason: string };
}

/**
 * Events that go only to the sockets that joined an asset (`asset:join`): the high-volume and
 * per-viewer ones, which a studio-wide dashboard does not need.
 */
export interface AssetEventMap {
  'render:progress': { jobId: string; assetId: string; progress: number; frame: number; chunk: number };
  'asset:presence': { assetId: string; userId: string; action: 'joined' | 'left' };
}

export const socketKey = (redisKeyPrefix: string) => `${redisKeyPrefix}socket.io`;

export class StudioEmitter {
  private readonly emitter: Emitter;

  constructor(redis: Redis, redisKeyPrefix: string) {
    // The emitter publishes and drops the promise: while Redis is away that would be an unhandled
    // rejection, which ends the worker process. Events are best effort, so a failed publish is dropped.
    const publisher = { publish: (channel: string, message: string | Buffer) => redis.publish(channel, message).catch(() => 0) };
    this.emitter = new Emitter(publisher, { key: socketKey(redisKeyPrefix) });
  }

  /** Only ever to one studio's room: no event crosses studios. */
  toStudio<E extends keyof WorkerEventMap>(studioId: string, event: E, payload: WorkerEventMap[E]): void {
    this.emitter.to(`studio:${studioId}`).emit(event, payload);
  }

  /** To the sockets that joined the asset; they passed the tenancy check of `asset:join`. */
  toAsset<E extends keyof AssetEventMap>(assetId: string, event: E, payload: AssetEventMap[E]): void {
    this.emitter.to(`asset:${assetId}`).emit(event, payload);
  }
}
