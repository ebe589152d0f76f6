// A direct upload: the client sends parts straight to S3 through presigned URLs; the API opened the
// multipart upload and, on completion, verifies it and commits the version. State changes happen only
// under the session's lease (LeaseLock), so each is a single-document write on MongoDB and FerretDB alike.
import { Schema, type Types } from 'mongoose';

export type UploadSessionStatus = 'OPEN' | 'COMPLETED' | 'ABORTED';

export interface UploadSessionDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  assetId: Types.ObjectId;
  createdBy: Types.ObjectId;
  key: string;
  /** The S3 multipart upload id. */
  uploadId: string;
  fileName: string;
  changeNote: string;
  size: number;
  partSize: number;
  /** The sha256 the client claims for the whole file (hex). */
  sha256: string;
  /** The client's sha256 of each part (base64, as S3's x-amz-checksum-sha256), signed into its URL. */
  partSha256: string[];
  status: UploadSessionStatus;
  /** Why an ABORTED session ended: the client, the sweep, or a refusal at completion. */
  endReason: string | null;
  version: number | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const uploadSessionSchema = new Schema<UploadSessionDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    assetId: { type: Schema.Types.ObjectId, required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    key: { type: String, required: true },
    uploadId: { type: String, required: true },
    fileName: { type: String, required: true },
    changeNote: { type: String, default: '' },
    size: { type: Number, required: true },
    partSize: { type: Number, required: true },
    sha256: { type: String, required: true },
    partSha256: { type: [String], required: true },
    status: { type: String, enum: ['OPEN', 'COMPLETED', 'ABORTED'], required: true },
    endReason: { type: String, default: null },
    version: { type: Number, default: null },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false },
);
// Reads name the studio and the asset (tenancy); the sweep finds open sessions past their expiry.
uploadSessionSchema.index({ studioId: 1, assetId: 1, _id: 1 });
uploadSessionSchema.index({ status: 1, expiresAt: 1 });
