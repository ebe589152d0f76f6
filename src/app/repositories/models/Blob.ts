// A stored object of a studio, addressed by its content: versions point at its key, and the garbage collector
// removes it once no version does. State changes are single-document compare-and-sets (see BlobService).
import { Schema, type Types } from 'mongoose';

export type BlobState = 'live' | 'deleting';

export interface BlobDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  /**
   * What dedup finds the object by, unique per studio: `sha256:<hex>` when the server hashed the bytes itself
   * (a dedup target), `object:<key>` for an object whose sha256 is only a client's claim (a direct upload not
   * yet verified by the pipeline): collected like any other, but never handed to another upload.
   */
  address: string;
  sha256: string;
  key: string;
  size: number;
  mimeType: string;
  state: BlobState;
  /** The last time an upload or a from-blob version claimed it; the collector leaves it alone for a grace period after. */
  claimedAt: Date;
  createdAt: Date;
}

export const blobAddress = (sha256: string) => `sha256:${sha256}`;
export const privateAddress = (key: string) => `object:${key}`;

export const blobSchema = new Schema<BlobDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    address: { type: String, required: true },
    sha256: { type: String, required: true },
    key: { type: String, required: true },
    size: { type: Number, required: true },
    mimeType: { type: String, required: true },
    state: { type: String, enum: ['live', 'deleting'], required: true },
    claimedAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// One object per content per studio: the unique index is what makes two concurrent first uploads agree.
blobSchema.index({ studioId: 1, address: 1 }, { unique: true });
// A failed commit's release and the pipeline's promotion find a blob by its key.
blobSchema.index({ studioId: 1, key: 1 }, { unique: true });
// The collector's scans: idle live blobs by claim time, and blobs a crashed run left in 'deleting'.
blobSchema.index({ state: 1, claimedAt: 1 });
