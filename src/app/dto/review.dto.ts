// The public shapes of review comments and decisions.
import type { Annotation, CommentDoc } from '../repositories/models/Comment';
import type { Decision, ReviewDecisionDoc } from '../repositories/models/ReviewDecision';
import type { AssetDto } from './asset.dto';

export interface CommentDto {
  id: string;
  assetId: string;
  seq: number;
  version: number | null;
  authorId: string;
  body: string;
  frame: number | null;
  fps: number | null;
  timecode: string | null;
  annotation: Annotation | null;
  createdAt: string;
}

export interface ReviewDto {
  id: string;
  assetId: string;
  version: number;
  decision: Decision;
  note: string;
  decidedBy: string;
  createdAt: string;
  asset: AssetDto;
}

/** A decision as listed (GET /assets/:id/reviews): the verdict and its note, without the asset. */
export type DecisionDto = Omit<ReviewDto, 'asset'>;

export const toDecisionDto = (d: ReviewDecisionDoc): DecisionDto => ({
  id: String(d._id), assetId: String(d.assetId), version: d.version, decision: d.decision, note: d.note ?? '', decidedBy: String(d.decidedBy), createdAt: d.createdAt.toISOString(),
});

export function toCommentDto(c: CommentDoc): CommentDto {
  return {
    id: String(c._id),
    assetId: String(c.assetId),
    seq: c.seq,
    version: c.version,
    authorId: String(c.authorId),
    body: c.body,
    frame: c.frame,
    fps: c.fps,
    timecode: c.timecode,
    annotation: c.annotation ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}
