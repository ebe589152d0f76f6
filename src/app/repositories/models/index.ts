// Registers every model on one connection, so each test file (or process) owns its own set.
import type { Connection, Model } from 'mongoose';
import type { CreateIndexesOptions, IndexSpecification } from 'mongodb';
import { studioSchema, type StudioDoc } from './Studio';
import { userSchema, type UserDoc } from './User';
import { refreshTokenSchema, type RefreshTokenDoc } from './RefreshToken';
import { auditEventSchema, type AuditEventDoc } from './AuditEvent';
import { leaseSchema, type LeaseDoc } from './Lease';
import { assetSchema, type AssetDoc } from './Asset';
import { assetVersionSchema, type AssetVersionDoc } from './AssetVersion';
import { renderJobSchema, type RenderJobDoc } from './RenderJob';
import { renderChunkSchema, type RenderChunkDoc } from './RenderChunk';
import { assetPipelineSchema, type AssetPipelineDoc } from './AssetPipeline';
import { commentSchema, type CommentDoc } from './Comment';
import { reviewDecisionSchema, type ReviewDecisionDoc } from './ReviewDecision';
import { accountSchema, type AccountDoc } from './Account';
import { invitationSchema, type InvitationDoc } from './Invitation';
import { registrationSchema, type RegistrationDoc } from './Registration';
import { passwordResetSchema, type PasswordResetDoc } from './PasswordReset';
import { apiTokenSchema, type ApiTokenDoc } from './ApiToken';
import { studioEventSchema, type StudioEventDoc } from './StudioEvent';
import { counterSchema, type CounterDoc } from './Counter';
import { projectSchema, type ProjectDoc } from './Project';
import { episodeSchema, type EpisodeDoc } from './Episode';
import { sequenceSchema, type SequenceDoc } from './Sequence';
import { shotSchema, type ShotDoc } from './Shot';
import { taskSchema, type TaskDoc } from './Task';
import { taskStatusSchema, taskTypeSchema, type TaskStatusDoc, type TaskTypeDoc } from './TaskConfig';
import { castingSchema, type CastingDoc } from './Casting';
import { notificationSchema, type NotificationDoc } from './Notification';
import { digestSettingSchema, type DigestSettingDoc } from './DigestSetting';
import { uploadSessionSchema, type UploadSessionDoc } from './UploadSession';
import { storageUsageSchema, type StorageUsageDoc } from './StorageUsage';
import { uploadReservationSchema, type UploadReservationDoc } from './UploadReservation';
import { blobSchema, type BlobDoc } from './Blob';
import { webhookDeliverySchema, webhookEndpointSchema, type WebhookDeliveryDoc, type WebhookEndpointDoc } from './Webhook';

export interface Models {
  Studio: Model<StudioDoc>;
  User: Model<UserDoc>;
  RefreshToken: Model<RefreshTokenDoc>;
  AuditEvent: Model<AuditEventDoc>;
  Lease: Model<LeaseDoc>;
  Asset: Model<AssetDoc>;
  AssetVersion: Model<AssetVersionDoc>;
  RenderJob: Model<RenderJobDoc>;
  RenderChunk: Model<RenderChunkDoc>;
  AssetPipeline: Model<AssetPipelineDoc>;
  Comment: Model<CommentDoc>;
  ReviewDecision: Model<ReviewDecisionDoc>;
  Account: Model<AccountDoc>;
  Invitation: Model<InvitationDoc>;
  Registration: Model<RegistrationDoc>;
  PasswordReset: Model<PasswordResetDoc>;
  ApiToken: Model<ApiTokenDoc>;
  StudioEvent: Model<StudioEventDoc>;
  Counter: Model<CounterDoc>;
  WebhookEndpoint: Model<WebhookEndpointDoc>;
  WebhookDelivery: Model<WebhookDeliveryDoc>;
  Project: Model<ProjectDoc>;
  Episode: Model<EpisodeDoc>;
  Sequence: Model<SequenceDoc>;
  Shot: Model<ShotDoc>;
  Task: Model<TaskDoc>;
  TaskType: Model<TaskTypeDoc>;
  TaskStatus: Model<TaskStatusDoc>;
  Casting: Model<CastingDoc>;
  Notification: Model<NotificationDoc>;
  DigestSetting: Model<DigestSettingDoc>;
  UploadSession: Model<UploadSessionDoc>;
  StorageUsage: Model<StorageUsageDoc>;
  UploadReservation: Model<UploadReservationDoc>;
  Blob: Model<BlobDoc>;
}

const model = <T>(conn: Connection, name: string, schema: import('mongoose').Schema<T>): Model<T> => (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);

export function createModels(conn: Connection): Models {
  return {
    Studio: (conn.models.Studio as Model<StudioDoc> | undefined) ?? conn.model<StudioDoc>('Studio', studioSchema),
    User: (conn.models.User as Model<UserDoc> | undefined) ?? conn.model<UserDoc>('User', userSchema),
    RefreshToken: (conn.models.RefreshToken as Model<RefreshTokenDoc> | undefined) ?? conn.model<RefreshTokenDoc>('RefreshToken', refreshTokenSchema),
    AuditEvent: (conn.models.AuditEvent as Model<AuditEventDoc> | undefined) ?? conn.model<AuditEventDoc>('AuditEvent', auditEventSchema),
    Lease: (conn.models.Lease as Model<LeaseDoc> | undefined) ?? conn.model<LeaseDoc>('Lease', leaseSchema),
    Asset: (conn.models.Asset as Model<AssetDoc> | undefined) ?? conn.model<AssetDoc>('Asset', assetSchema),
    AssetVersion: (conn.models.AssetVersion as Model<AssetVersionDoc> | undefined) ?? conn.model<AssetVersionDoc>('AssetVersion', assetVersionSchema),
    RenderJob: (conn.models.RenderJob as Model<RenderJobDoc> | undefined) ?? conn.model<RenderJobDoc>('RenderJob', renderJobSchema),
    RenderChunk: (conn.models.RenderChunk as Model<RenderChunkDoc> | undefined) ?? conn.model<RenderChunkDoc>('RenderChunk', renderChunkSchema),
    AssetPipeline: (conn.models.AssetPipeline as Model<AssetPipelineDoc> | undefined) ?? conn.model<AssetPipelineDoc>('AssetPipeline', assetPipelineSchema),
    Comment: (conn.models.Comment as Model<CommentDoc> | undefined) ?? conn.model<CommentDoc>('Comment', commentSchema),
    ReviewDecision: (conn.models.ReviewDecision as Model<ReviewDecisionDoc> | undefined) ?? conn.model<ReviewDecisionDoc>('ReviewDecision', reviewDecisionSchema),
    Account: (conn.models.Account as Model<AccountDoc> | undefined) ?? conn.model<AccountDoc>('Account', accountSchema),
    Invitation: (conn.models.Invitation as Model<InvitationDoc> | undefined) ?? conn.model<InvitationDoc>('Invitation', invitationSchema),
    Registration: (conn.models.Registration as Model<RegistrationDoc> | undefined) ?? conn.model<RegistrationDoc>('Registration', registrationSchema),
    PasswordReset: model(conn, 'PasswordReset', passwordResetSchema),
    ApiToken: (conn.models.ApiToken as Model<ApiTokenDoc> | undefined) ?? conn.model<ApiTokenDoc>('ApiToken', apiTokenSchema),
    StudioEvent: (conn.models.StudioEvent as Model<StudioEventDoc> | undefined) ?? conn.model<StudioEventDoc>('StudioEvent', studioEventSchema),
    Counter: (conn.models.Counter as Model<CounterDoc> | undefined) ?? conn.model<CounterDoc>('Counter', counterSchema),
    WebhookEndpoint: (conn.models.WebhookEndpoint as Model<WebhookEndpointDoc> | undefined) ?? conn.model<WebhookEndpointDoc>('WebhookEndpoint', webhookEndpointSchema),
    WebhookDelivery: (conn.models.WebhookDelivery as Model<WebhookDeliveryDoc> | undefined) ?? conn.model<WebhookDeliveryDoc>('WebhookDelivery', webhookDeliverySchema),
    Project: model(conn, 'Project', projectSchema),
    Episode: model(conn, 'Episode', episodeSchema),
    Sequence: model(conn, 'Sequence', sequenceSchema),
    Shot: model(conn, 'Shot', shotSchema),
    Task: model(conn, 'Task', taskSchema),
    TaskType: model(conn, 'TaskType', taskTypeSchema),
    TaskStatus: model(conn, 'TaskStatus', taskStatusSchema),
    Casting: model(conn, 'Casting', castingSchema),
    Notification: model(conn, 'Notification', notificationSchema),
    DigestSetting: model(conn, 'DigestSetting', digestSettingSchema),
    UploadSession: (conn.models.UploadSession as Model<UploadSessionDoc> | undefined) ?? conn.model<UploadSessionDoc>('UploadSession', uploadSessionSchema),
    StorageUsage: model(conn, 'StorageUsage', storageUsageSchema),
    UploadReservation: model(conn, 'UploadReservation', uploadReservationSchema),
    Blob: model(conn, 'Blob', blobSchema),
  };
}

/**
 * Builds every declared index up front, so uniqueness holds from the first request. Where the server
 * has no TTL indexes (FerretDB v1 answers "expireAfterSeconds is not implemented yet") the index is
 * built without expiry: expiry is always checked in code, and only housekeeping is lost.
 * Returns a note per index that had to be degraded.
 */
export async function syncIndexes(models: Models): Promise<string[]> {
  const notes: string[] = [];
  for (const model of Object.values(models) as Model<unknown>[]) {
    for (const [fields, options] of model.schema.indexes()) {
      try {
        await model.collection.createIndex(fields as IndexSpecification, options as CreateIndexesOptions);
      } catch (err) {
        const ttl = options.expireAfterSeconds !== undefined && /expireAfterSeconds/.test((err as Error).message);
        if (!ttl) throw err;
        const { expireAfterSeconds: _dropped, ...plain } = options;
        await model.collection.createIndex(fields as IndexSpecification, plain as CreateIndexesOptions);
        notes.push(`${model.collection.collectionName}: TTL index on ${Object.keys(fields).join(',')} unsupported by this server; built without expiry`);
      }
    }
  }
  return notes;
}
