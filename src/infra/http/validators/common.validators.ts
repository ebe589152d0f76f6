// Shared zod pieces: ids, pagination, and the password rule.
import { z } from 'zod';
import '../openapi';
import { QUERY_WORDS_MAX, queryWords } from '../../../app/repositories/nameWords';

// No regex flags: OpenAPI patterns are plain ECMA regexes, and a flag would be serialised into the pattern.
export const objectId = z.string().regex(/^[a-fA-F0-9]{24}$/, 'must be a 24-character hex id');

export const idParams = z.strictObject({ id: objectId });

/**
 * An integer from a query string. `?after=` (empty) is refused rather than read as 0: z.coerce would turn
 * '' into 0, accepting a malformed request as if it asked for the start.
 */
export const queryInt = (min: number, max: number) =>
  z.preprocess((v) => (v === '' ? Number.NaN : v), z.coerce.number().int().min(min).max(max));

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  // Cursors are opaque base64url tokens handed out as page.nextCursor.
  cursor: z.string().min(1).max(1000).regex(/^[A-Za-z0-9_-]+$/, 'must be a page.nextCursor from a previous page').optional(),
});

export const password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 72, 'must be at most 72 bytes (bcrypt ignores anything longer)')
  .openapi({ maxLength: 72, description: 'At least 10 characters and at most 72 bytes of UTF-8 (bcrypt ignores the rest)' });

// WHATWG's definition (what a browser's email input accepts: RFC 5322 atext before the @, DNS labels after
// it), narrowed to RFC 5321's dot-atom local part (no leading, trailing or doubled dot), since mail servers
// refuse those and addresses are mailed to now. Linear: each repeat starts with a character the one before
// cannot match. The OpenAPI document carries this pattern rather than `format: email`, whose readings differ.
export const email = z
  .string()
  .max(254)
  .regex(
    /^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/,
    'must be an email address',
  )
  // RFC 5321's 64-octet local part (mail servers refuse longer ones). A refinement, not part of the
  // pattern: a lookahead there would stop OpenAPI tools from generating addresses from it.
  .refine((e) => e.indexOf('@') <= 64, 'the part before the @ must be at most 64 characters');

export const roleEnum = z.enum(['ARTIST', 'DIRECTOR', 'PRODUCER']);

/**
 * Words to search names by (each matches the start of a word of a name): capped in characters and in words.
 * Punctuation alone is no word and matches nothing (an empty answer, as before words).
 */
export const searchText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'type something to search for')
    .max(max)
    .superRefine((q, ctx) => {
      if (queryWords(q).length > QUERY_WORDS_MAX) ctx.addIssue({ code: 'custom', message: `search for at most ${QUERY_WORDS_MAX} words at a time` });
    })
    .openapi({ description: `Words that each start a word of the name (any case, accents ignored), at most ${QUERY_WORDS_MAX}` });
