// A review note on an asset (optionally one version and one frame), numbered per asset so a client that
// reconnects can fetch exactly what it missed.
import { Schema, type Types } from 'mongoose';

/** The annotation palette of UI.md: saturated colours that read on any picture. */
export const ANNOTATION_COLORS = ['red', 'yellow', 'cyan', 'green', 'magenta', 'white'] as const;
export type AnnotationColor = (typeof ANNOTATION_COLORS)[number];

/** One drawn shape; points are a flat [x0, y0, x1, y1, …] list of fractions of the picture's width and height. */
export type AnnotationShape =
  | { kind: 'stroke'; color: AnnotationColor; points: number[] }
  | { kind: 'arrow'; color: AnnotationColor; points: number[] }
  | { kind: 'text'; color: AnnotationColor; points: number[]; text: string };

export interface Annotation {
  shapes: AnnotationShape[];
}

export interface CommentDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  seq: number;
  version: number | null;
  authorId: Types.ObjectId;
  body: string;
  frame: number | null;
  fps: number | null;
  timecode: string | null;
  /** Drawings on the comment's frame (validated by the API's annotation schema); absent on older comments. */
  annotation?: Annotation | null;
  createdAt: Date;
}

export const commentSchema = new Schema<CommentDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    version: { type: Number, default: null },
    authorId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true, maxlength: 5000 },
    frame: { type: Number, default: null },
    fps: { type: Number, default: null },
    timecode: { type: String, default: null },
    annotation: { type: Schema.Types.Mixed, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
commentSchema.index({ assetId: 1, seq: 1 }, { unique: true });
// A page of an asset's comments sorts on seq with _id as the keyset tie-breaker, so the index ends with both:
// without _id, MongoDB and PostgreSQL alike sort the whole asset's comments to return one page.
commentSchema.index({ studioId: 1, assetId: 1, seq: 1, _id: 1 });
