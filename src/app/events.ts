// In-process domain events: services announce what happened; real-time fan-out and the pipeline listen.
import { EventEmitter } from 'node:events';
import type { SessionEndReason } from './repositories/models/User';
import type { AssetDto, VersionDto, CommentDto, ReviewDto, ProjectDto, ShotDto, TaskDto, CastingDto, NotificationDto } from './dto';

export interface DomainEventMap {
  'asset.created': { studioId: string; actorId: string; asset: AssetDto };
  'asset.updated': { studioId: string; actorId: string; asset: AssetDto; changes: string[] };
  /** A new immutable version was committed; the pipeline starts from this and clients hear asset:version:created. */
  'version.created': { studioId: string; actorId: string; assetId: string; version: VersionDto };
  /** An archived asset's versions were purged: storage usage gives back their logical bytes, and their objects go when
   * the storage collector finds them unreferenced. */
  'asset.purged': { studioId: string; actorId: string; assetId: string; versions: number; bytes: number };
  'comment.created': { studioId: string; actorId: string; comment: CommentDto };
  'review.decided': { studioId: string; actorId: string; review: ReviewDto };
  'project.created': { studioId: string; actorId: string; project: ProjectDto };
  'project.updated': { studioId: string; actorId: string; project: ProjectDto; changes: string[] };
  'shot.created': { studioId: string; actorId: string; shot: ShotDto };
  'shot.updated': { studioId: string; actorId: string; shot: ShotDto; changes: string[] };
  'task.created': { studioId: string; actorId: string; task: TaskDto };
  /** from: the status before, when it changed; reason: what moved it (a person, a submission, a review). */
  'task.updated': { studioId: string; actorId: string; task: TaskDto; changes: string[]; from?: string; reason?: 'edit' | 'submission' | 'review' };
  /** People newly assigned to a task (their notifications come from this). */
  'task.assigned': { studioId: string; actorId: string; task: TaskDto; userIds: string[] };
  'casting.updated': { studioId: string; actorId: string; shotId: string; casting: CastingDto[] };
  'editorial.imported': { studioId: string; actorId: string; projectId: string; format: string; created: string[]; updated: string[]; omitted: string[] };
  /** A notification for one member: goes to that member's sockets only, never to the studio's log. */
  'notification.created': { studioId: string; userId: string; notification: NotificationDto };
  /** A user's sessions ended (deactivation, role or password change, sign-out everywhere): their live connections must end. */
  'user.sessionEnded': { studioId: string; userId: string; reason: SessionEndReason };
  /** An API token was revoked: connections opened with it must end. */
  'token.revoked': { studioId: string; tokenId: string };
}

export type DomainEventName = keyof DomainEventMap;

export class DomainEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => undefined) {
    this.emitter.setMaxListeners(50);
  }

  /** Listeners run after the change is stored; a failing listener is reported, never the caller's problem. */
  emit<E extends DomainEventName>(event: E, payload: DomainEventMap[E]): void {
    for (const listener of this.emitter.listeners(event)) {
      Promise.resolve()
        .then(() => (listener as (p: DomainEventMap[E]) => unknown)(payload))
        .catch((err: unknown) => this.onListenerError(event, err));
    }
  }

  on<E extends DomainEventName>(event: E, listener: (payload: DomainEventMap[E]) => void | Promise<void>): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
