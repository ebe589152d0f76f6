// Lets a process without a Socket.IO server (the workers) emit into studio rooms through Redis.
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';

/** Server-to-client events that workers send, with their payloads. */
export interface WorkerEventMap {
  'pipeline:update': { assetId: string; version: number; status: string; step?: string; error?: { code: string; message: string } | null };
  'render:progress': { jobId: string; assetId: string; progress: number; frame: number; chunk: number };
  'render:completed': { jobId: string; assetId: string; frames: number; previewKey: string | null };
  'render:failed': { jobId: string; assetId: string; error: { code: string; message: string } };
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
}
