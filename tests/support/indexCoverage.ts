// The static index-coverage checks' shared reading of a query shape against a schema's declared indexes
// (tests/assets.indexes.test.ts, tests/production.indexes.test.ts); MongoDB's planner checks the same in
// tests/plans.
import { Types, type Schema } from 'mongoose';

export type IndexKeys = Array<[string, number]>;

/** A schema's declared indexes, each as its ordered [field, direction] pairs. */
export const indexKeys = (schema: Schema): IndexKeys[] => schema.indexes().map(([keys]) => Object.entries(keys as Record<string, 1 | -1>));

/** Equality fields of the first $and branch (or the whole filter), and the remaining conditions' fields. */
export function filterFields(filter: Record<string, unknown>): { equality: string[]; range: string[] } {
  const main = (Array.isArray(filter.$and) ? filter.$and[0] : filter) as Record<string, unknown>;
  const equality: string[] = [];
  const range: string[] = [];
  for (const [k, v] of Object.entries(main)) {
    const isOperator = v !== null && typeof v === 'object' && !(v instanceof Types.ObjectId) && !(v instanceof Date) && Object.keys(v).some((o) => o.startsWith('$'));
    (isOperator ? range : equality).push(k);
  }
  return { equality, range };
}

/** An index that starts with the equality fields (in any order), continues with `then`, and sorts as asked (either direction). */
export function servingIndex(indexes: IndexKeys[], equality: string[], then: string[], sort: Record<string, unknown>): IndexKeys | undefined {
  const sortKeys = Object.entries(sort) as IndexKeys;
  return indexes.find((keys) => {
    const head = keys.slice(0, equality.length).map(([k]) => k);
    if (head.length !== equality.length || !equality.every((f) => head.includes(f))) return false;
    const rest = keys.slice(equality.length);
    if (!then.every((f, i) => rest[i]?.[0] === f)) return false;
    const tail = rest.slice(then.length, then.length + sortKeys.length);
    if (tail.length !== sortKeys.length || !sortKeys.every(([k], i) => tail[i]?.[0] === k)) return false;
    return sortKeys.every(([, d], i) => tail[i]?.[1] === d) || sortKeys.every(([, d], i) => tail[i]?.[1] === -d);
  });
}
