// Keyset (cursor) pagination: a page continues after the last (sortValue, _id) seen, so deep pages cost
// the same as the first and concurrent inserts never duplicate or skip items.
import { Types, type QueryFilter, type SortOrder } from 'mongoose';
import { ValidationError } from '../../shared/errors';

export interface PageRequest<F extends string = string> {
  limit: number;
  cursor?: string;
  sort: F;
  order: 'asc' | 'desc';
}

export interface Page<T> {
  data: T[];
  page: { limit: number; nextCursor: string | null; hasMore: boolean };
}

type CursorValue = string | number | Date | null;
interface CursorPayload {
  s: string; // sort field, so a cursor from another ordering is refused rather than misread
  o: 'asc' | 'desc';
  v: string | number | null;
  d?: 1; // v is an ISO date
  id: string;
}

export function encodeCursor(sort: string, order: 'asc' | 'desc', value: CursorValue, id: Types.ObjectId | string): string {
  const payload: CursorPayload = { s: sort, o: order, v: value instanceof Date ? value.toISOString() : value, id: String(id) };
  if (value instanceof Date) payload.d = 1;
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

const badCursor = () => new ValidationError('INVALID_CURSOR', 'The cursor is malformed or belongs to another sort order');

export function decodeCursor(cursor: string, sort: string, order: 'asc' | 'desc'): { value: CursorValue; id: Types.ObjectId } {
  let p: CursorPayload;
  try {
    p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
  } catch {
    throw badCursor();
  }
  if (!p || typeof p !== 'object' || p.s !== sort || p.o !== order || typeof p.id !== 'string' || !Types.ObjectId.isValid(p.id)) throw badCursor();
  if (p.v !== null && typeof p.v !== 'string' && typeof p.v !== 'number') throw badCursor();
  let value: CursorValue = p.v;
  if (p.d === 1) {
    const date = new Date(String(p.v));
    if (Number.isNaN(date.getTime())) throw badCursor();
    value = date;
  }
  return { value, id: new Types.ObjectId(p.id) };
}

/** The filter that continues after the cursor and the matching sort, with _id as the tie-breaker. */
export function keyset<T>(field: string, order: 'asc' | 'desc', cursor?: string): { filter: QueryFilter<T>; sort: Record<string, SortOrder> } {
  const dir = order === 'asc' ? 1 : -1;
  const sort: Record<string, SortOrder> = field === '_id' ? { _id: dir } : { [field]: dir, _id: dir };
  if (!cursor) return { filter: {}, sort };
  const { value, id } = decodeCursor(cursor, field, order);
  const op = order === 'asc' ? '$gt' : '$lt';
  if (field === '_id') return { filter: { _id: { [op]: id } } as QueryFilter<T>, sort };
  return {
    filter: { $or: [{ [field]: { [op]: value } }, { [field]: value, _id: { [op]: id } }] } as QueryFilter<T>,
    sort,
  };
}

/** Shapes limit+1 fetched rows into a page: the extra row only says whether more exist. */
export function toPage<T extends { _id: Types.ObjectId }, R>(
  rows: T[],
  req: { limit: number; order: 'asc' | 'desc' },
  field: string,
  valueOf: (row: T) => CursorValue,
  map: (row: T) => R,
): Page<R> {
  const hasMore = rows.length > req.limit;
  const pageRows = hasMore ? rows.slice(0, req.limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    page: { limit: req.limit, nextCursor: hasMore && last ? encodeCursor(field, req.order, valueOf(last), last._id) : null, hasMore },
  };
}
