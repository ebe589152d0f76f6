// Registers every model on one connection, so each test file (or process) owns its own set.
import type { Connection, Model } from 'mongoose';
import { studioSchema, type StudioDoc } from './Studio';
import { userSchema, type UserDoc } from './User';
import { refreshTokenSchema, type RefreshTokenDoc } from './RefreshToken';
import { auditEventSchema, type AuditEventDoc } from './AuditEvent';
import { leaseSchema, type LeaseDoc } from './Lease';

export interface Models {
  Studio: Model<StudioDoc>;
  User: Model<UserDoc>;
  RefreshToken: Model<RefreshTokenDoc>;
  AuditEvent: Model<AuditEventDoc>;
  Lease: Model<LeaseDoc>;
}

export function createModels(conn: Connection): Models {
  return {
    Studio: conn.model<StudioDoc>('Studio', studioSchema),
    User: conn.model<UserDoc>('User', userSchema),
    RefreshToken: conn.model<RefreshTokenDoc>('RefreshToken', refreshTokenSchema),
    AuditEvent: conn.model<AuditEventDoc>('AuditEvent', auditEventSchema),
    Lease: conn.model<LeaseDoc>('Lease', leaseSchema),
  };
}

/** Builds indexes up front so uniqueness holds from the first request. */
export async function syncIndexes(models: Models): Promise<void> {
  await Promise.all(Object.values(models).map((m: Model<unknown>) => m.createIndexes()));
}
