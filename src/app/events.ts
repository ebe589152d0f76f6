// In-process domain events: services announce what happened; real-time fan-out and the pipeline listen.
import { EventEmitter } from 'node:events';
import type { AssetDto, VersionDto, CommentDto, ReviewDto } from './dto';

export interface DomainEventMap {
  'asset.created': { studioId: string; actorId: string; asset: AssetDto };
  'asset.updated': { studioId: string; actorId: string; asset: AssetDto; changes: string[] };
  /** A new immutable version was committed; the pipeline starts from this and clients hear asset:version:created. */
  'version.created': { studioId: string; actorId: string; assetId: string; version: VersionDto };
  'comment.created': { studioId: string; actorId: string; comment: CommentDto };
  'review.decided': { studioId: string; actorId: string; review: ReviewDto };
  /** A user's sessions ended (deactivation, role or password change, sign-out everywhere): their live connections must end. */
  'user.sessionEnded': { studioId: string; userId: string; reason: 'deactivated' | 'role-changed' | 'password-changed' | 'signed-out-everywhere' };
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
