// The bytes an upload in progress holds against its studio's quota: one document per open direct session or tus
// upload, inserted when the upload is created and deleted when it ends (committed, aborted, expired). A studio's
// reserved bytes are the sum of its documents, read under the studio's `storage:` lease, so there is no counter to
// drift: a release is a delete (twice is a no-op) and a commit deletes the one it turns into usage.
import { Schema, type Types } from 'mongoose';

export type UploadKind = 'direct' | 'tus';

export interface UploadReservationDoc {
  /** `<kind>:<upload id>`: one reservation per upload, whoever retries its creation. */
  _id: string;
  studioId: Types.ObjectId;
  kind: UploadKind;
  bytes: number;
  /** When the upload itself expires: past it the sweep ends the upload (if still there) and releases. */
  expiresAt: Date;
  /**
   * When the sweep next looks at it: soon after creation (an instance that died between reserving and creating the
   * upload leaves a reservation without an upload), then at the upload's expiry.
   */
  checkAt: Date;
  createdAt: Date;
}

export const uploadReservationSchema = new Schema<UploadReservationDoc>(
  {
    _id: { type: String, required: true },
    studioId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['direct', 'tus'], required: true },
    bytes: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
    checkAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// A studio's reservations (summed under its lease); the sweep's work list across studios.
uploadReservationSchema.index({ studioId: 1 });
uploadReservationSchema.index({ checkAt: 1 });
