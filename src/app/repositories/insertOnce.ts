// One document per unique key, written by an insert that may lose to the unique index rather than by an upsert.
import type { Model, QueryFilter } from 'mongoose';
import { isDuplicateKey } from '../../infra/database/errors';

/**
 * Inserts `doc` unless a document matching `filter` (the unique index's key) exists; returns the stored one and
 * whether this call made it. Not `updateOne(filter, { $setOnInsert: doc }, { upsert: true })`: FerretDB v1 drops
 * every null and [] value of a $setOnInsert, so an upserted document lacked fields that every other one has and
 * the API documents as always there (a shot's asset without `tags` or `currentVersion`, a shot without
 * `recordIn`: issue 28, found by the tests' OpenAPI response check).
 */
export async function insertUnlessExists<T>(model: Model<T>, filter: QueryFilter<T>, doc: Record<string, unknown>): Promise<{ doc: T; created: boolean }> {
  const stored = { ...doc };
  try {
    const res = await model.collection.insertOne(stored);
    // What was inserted is what is stored: no read back (an editorial import makes thousands of these).
    return { doc: { ...stored, _id: res.insertedId } as T, created: true };
  } catch (err) {
    // Another writer's insert (or an earlier run's) holds the key: the one it stored is the answer.
    if (!isDuplicateKey(err)) throw err;
  }
  const existing = await model.findOne(filter).lean<T>().exec();
  if (!existing) throw new Error(`${model.modelName} missing after its insert`);
  return { doc: existing, created: false };
}
