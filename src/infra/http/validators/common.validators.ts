// Shared zod pieces: ids, pagination, and the password rule.
import { z } from 'zod';
import '../openapi';

// No regex flags: OpenAPI patterns are plain ECMA regexes, and a flag would be serialised into the pattern.
export const objectId = z.string().regex(/^[a-fA-F0-9]{24}$/, 'must be a 24-character hex id');

export const idParams = z.strictObject({ id: objectId });

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1000).optional(),
});

export const password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 72, 'must be at most 72 bytes (bcrypt ignores anything longer)');

export const email = z.email('must be an email address').max(254);

export const roleEnum = z.enum(['ARTIST', 'DIRECTOR', 'PRODUCER']);
