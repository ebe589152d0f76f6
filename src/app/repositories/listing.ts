// One keyset page of a filtered listing: the equality filter, then the cursor's condition combined with
// $and (so a range on the sort field survives), sorted on the field and _id, limit+1 rows.
import type { Model, QueryFilter, SortOrder, Types } from 'mongoose';
import { keyset, toPage, type Page } from './pagination';

export interface ListShape<T> {
  filter: QueryFilter<T>;
  sort: Record<string, SortOrder>;
  field: string;
}

/** The filter and sort of one page; pure, so the index-coverage tests can check every shape. */
export function listShape<T>(eq: QueryFilter<T>, field: string, order: 'asc' | 'desc', cursor?: string): ListShape<T> {
  const { filter: after, sort } = keyset<T>(field, order, cursor);
  return { filter: Object.keys(after).length ? ({ $and: [eq, after] } as QueryFilter<T>) : eq, sort, field };
}

export async function listPage<T extends { _id: Types.ObjectId }>(
  model: Model<T>,
  shape: ListShape<T>,
  req: { limit: number; order: 'asc' | 'desc' },
): Promise<Page<T>> {
  const rows = await model.find(shape.filter).sort(shape.sort).limit(req.limit + 1).lean<T[]>().exec();
  return toPage(rows, req, shape.field, (r) => (r as Record<string, unknown>)[shape.field] as string | number | Date | null, (r) => r);
}
