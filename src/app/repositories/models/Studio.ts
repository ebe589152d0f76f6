// A studio is the tenant: every other record carries its studioId.
import { Schema, type Types } from 'mongoose';

export interface StudioDoc {
  _id: Types.ObjectId;
  name: string;
  slug: string;
  settings: { autoRender: boolean };
  createdAt: Date;
  updatedAt: Date;
}

export const studioSchema = new Schema<StudioDoc>(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    slug: { type: String, required: true, unique: true, maxlength: 80 },
    settings: { autoRender: { type: Boolean, default: false } },
  },
  { timestamps: true, versionKey: false },
);
