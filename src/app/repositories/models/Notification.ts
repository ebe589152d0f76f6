// A notification for one member: assigned a task, a comment on their task's version, their version
// approved or sent back, a mention, a version submitted for a review they may decide.
import { Schema, type Types } from 'mongoose';

export const NOTIFICATION_TYPES = ['TASK_ASSIGNED', 'TASK_COMMENT', 'VERSION_APPROVED', 'VERSION_CHANGES_REQUESTED', 'MENTION', 'REVIEW_REQUESTED'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationDoc {
  _id: Types.ObjectId;
  studioId: Types.ObjectId;
  userId: Types.ObjectId;
  type: NotificationType;
  read: boolean;
  actorId: Types.ObjectId | null;
  taskId: Types.ObjectId | null;
  assetId: Types.ObjectId | null;
  version: number | null;
  commentId: Types.ObjectId | null;
  text: string;
  createdAt: Date;
}

export const notificationSchema = new Schema<NotificationDoc>(
  {
    studioId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: NOTIFICATION_TYPES, required: true },
    read: { type: Boolean, default: false },
    actorId: { type: Schema.Types.ObjectId, default: null },
    taskId: { type: Schema.Types.ObjectId, default: null },
    assetId: { type: Schema.Types.ObjectId, default: null },
    version: { type: Number, default: null },
    commentId: { type: Schema.Types.ObjectId, default: null },
    text: { type: String, default: '', maxlength: 500 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, collection: 'notifications' },
);
// Newest first, all or unread only; the unread count reads the second.
notificationSchema.index({ studioId: 1, userId: 1, _id: 1 });
notificationSchema.index({ studioId: 1, userId: 1, read: 1, _id: 1 });
