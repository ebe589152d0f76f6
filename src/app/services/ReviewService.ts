// Review: comments pinned to a version and frame, and DIRECTOR/PRODUCER decisions that set the asset's
// status. Both the Socket.IO handlers and the REST routes call this one service.
import { Types } from 'mongoose';
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { ReviewRepository } from '../repositories/ReviewRepository';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { Decision } from '../repositories/models/ReviewDecision';
import type { Annotation } from '../repositories/models/Comment';
import type { Page } from '../repositories/pagination';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { AssetService } from './AssetService';
import type { AuditService } from './AuditService';
import type { DomainEvents } from '../events';
import type { Actor } from './types';
import { frameToTimecode, timecodeToFrame } from './timecode';
import { type CommentDto, type DecisionDto, type ReviewDto, toCommentDto, toDecisionDto } from '../dto';

export interface NewComment {
  body: string;
  version?: number;
  frame?: number;
  fps?: number;
  timecode?: string;
  annotation?: Annotation;
}

const invalid = (path: string, message: string) => new ValidationError('VALIDATION_FAILED', message, { details: [{ path, message }] });

/** Works out frame and timecode from whatever the client sent, refusing contradictions. */
export function placeOnTimeline(input: Pick<NewComment, 'frame' | 'fps' | 'timecode'>): { frame: number | null; fps: number | null; timecode: string | null } {
  const { frame, fps, timecode } = input;
  if (timecode !== undefined && fps === undefined) throw invalid('fps', 'fps is required with a timecode');
  if (fps === undefined) return { frame: frame ?? null, fps: null, timecode: null };
  if (timecode !== undefined) {
    const fromTc = timecodeToFrame(timecode, fps);
    if (fromTc === null) throw invalid('timecode', `not a valid HH:MM:SS:FF timecode at ${fps} fps`);
    if (frame !== undefined && frame !== fromTc) throw invalid('timecode', `timecode ${timecode} is frame ${fromTc}, not ${frame}`);
    return { frame: fromTc, fps, timecode: frameToTimecode(fromTc, fps) };
  }
  return frame === undefined ? { frame: null, fps, timecode: null } : { frame, fps, timecode: frameToTimecode(frame, fps) };
}

export class ReviewService {
  constructor(
    private readonly deps: {
      reviews: ReviewRepository;
      versions: VersionRepository;
      assets: AssetService;
      locks: LeaseLock;
      audit: AuditService;
      events: DomainEvents;
    },
  ) {}

  async comment(actor: Actor, assetId: string, input: NewComment): Promise<CommentDto> {
    const asset = await this.deps.assets.require(actor, 'comment:create', assetId);
    if (input.version !== undefined && !(await this.deps.versions.findOne(actor.studioId, asset._id, input.version))) {
      throw new NotFoundError('VERSION_NOT_FOUND', 'Version not found');
    }
    const place = placeOnTimeline(input);
    // A drawing belongs to one picture: which version, and which frame of it (0 for an image).
    if (input.annotation && input.version === undefined) throw invalid('version', 'an annotation needs the version it is drawn on');
    if (input.annotation && place.frame === null) throw invalid('frame', 'an annotation needs the frame it is drawn on');
    // One writer per asset at a time makes seq strictly increasing with no duplicates; the unique
    // {assetId, seq} index is the backstop.
    const doc = await this.deps.locks.withLock(`comments:${assetId}`, async () => {
      const seq = (await this.deps.reviews.highestSeq(actor.studioId, asset._id)) + 1;
      return this.deps.reviews.insertComment(actor.studioId, { assetId: asset._id, seq, version: input.version ?? null, authorId: new Types.ObjectId(actor.id), body: input.body, ...place, annotation: input.annotation ?? null });
    });
    const comment = toCommentDto(doc);
    await this.deps.audit.record(actor, 'comment.created', 'asset', asset._id, { seq: comment.seq, version: comment.version });
    this.deps.events.emit('comment.created', { studioId: actor.studioId, actorId: actor.id, comment });
    return comment;
  }

  async comments(actor: Actor, assetId: string, q: { limit: number; cursor?: string; after?: number }): Promise<Page<CommentDto>> {
    const asset = await this.deps.assets.require(actor, 'asset:read', assetId);
    const page = await this.deps.reviews.listComments(actor.studioId, asset._id, q);
    return { ...page, data: page.data.map(toCommentDto) };
  }

  /** The asset's decisions with their notes, newest first: what the review page and the task page show. */
  async decisions(actor: Actor, assetId: string, q: { limit: number; cursor?: string; version?: number }): Promise<Page<DecisionDto>> {
    const asset = await this.deps.assets.require(actor, 'asset:read', assetId);
    const page = await this.deps.reviews.listDecisions(actor.studioId, asset._id, q);
    return { ...page, data: page.data.map(toDecisionDto) };
  }

  async decide(actor: Actor, assetId: string, version: number, decision: Decision, note = ''): Promise<ReviewDto> {
    let recorded: { id: string; createdAt: Date } | undefined;
    let unchanged = false;
    const asset = await this.deps.assets.change(actor, 'review:decide', assetId, undefined, async (current) => {
      if (!(await this.deps.versions.findOne(actor.studioId, current._id, version))) throw new NotFoundError('VERSION_NOT_FOUND', 'Version not found');
      const d = await this.deps.reviews.insertDecision(actor.studioId, { assetId: current._id, version, decision, note, decidedBy: new Types.ObjectId(actor.id) });
      recorded = { id: String(d._id), createdAt: d.createdAt };
      // A repeated identical verdict changes no field, but it is still recorded, audited and announced.
      unchanged = current.status === decision;
      return { set: unchanged ? {} : { status: decision }, action: 'review.decided', details: { version, decision, note } };
    });
    const review: ReviewDto = { id: recorded!.id, assetId, version, decision, note, decidedBy: actor.id, createdAt: recorded!.createdAt.toISOString(), asset };
    if (unchanged) await this.deps.audit.record(actor, 'review.decided', 'asset', assetId, { version, decision, note });
    this.deps.events.emit('review.decided', { studioId: actor.studioId, actorId: actor.id, review });
    return review;
  }
}
