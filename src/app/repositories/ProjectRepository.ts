// Projects, episodes and sequences of a studio. Every method takes the studioId it is scoped to.
import { Types, type QueryFilter } from 'mongoose';
import type { Models } from './models';
import { DEFAULT_PROJECT_CODE, type ProjectDoc, type ProjectStatus } from './models/Project';
import type { EpisodeDoc } from './models/Episode';
import type { SequenceDoc } from './models/Sequence';
import type { Page } from './pagination';
import { findOwned } from './owned';
import { listPage, listShape, type ListShape } from './listing';
import { nameWords, nameWordsQuery } from './nameWords';
import { isDuplicateKey } from '../../infra/database/errors';
import type { StudioId } from './AssetRepository';

export interface ProjectListQuery {
  limit: number;
  cursor?: string;
  status?: ProjectStatus;
}

export type NewProject = Omit<ProjectDoc, '_id' | 'studioId' | 'nameLower' | 'codeLower' | 'revision' | 'createdAt' | 'updatedAt'>;

export function projectListQuery(studioId: StudioId, q: ProjectListQuery): ListShape<ProjectDoc> {
  return listShape<ProjectDoc>({ studioId, ...(q.status ? { status: q.status } : {}) }, 'nameLower', 'asc', q.cursor);
}

/** A project's episodes or sequences in their order. */
export function orderedChildrenQuery<T>(studioId: StudioId, projectId: Types.ObjectId, cursor?: string): ListShape<T> {
  return listShape<T>({ studioId, projectId } as QueryFilter<T>, 'order', 'asc', cursor);
}

export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class ProjectRepository {
  constructor(private readonly models: Models) {}

  async create(studioId: StudioId, p: NewProject): Promise<ProjectDoc> {
    const doc = await this.models.Project.create({ ...p, studioId, nameLower: p.name.toLowerCase(), nameWords: nameWords(p.name), codeLower: p.code.toLowerCase() });
    return doc.toObject();
  }

  findById(studioId: StudioId, id: Types.ObjectId | string): Promise<ProjectDoc | null> {
    return findOwned(this.models.Project, studioId, id);
  }

  /** The studio's default project, created on first use (the same upsert the migration makes, so both converge). */
  async ensureDefault(studioId: StudioId): Promise<ProjectDoc> {
    const sid = new Types.ObjectId(String(studioId));
    const filter = { studioId: sid, codeLower: DEFAULT_PROJECT_CODE.toLowerCase() };
    const existing = await this.models.Project.findOne(filter).lean<ProjectDoc>().exec();
    if (existing) return existing;
    const now = new Date();
    const insert = { studioId: sid, code: DEFAULT_PROJECT_CODE, codeLower: DEFAULT_PROJECT_CODE.toLowerCase(), name: 'Default project', nameLower: 'default project', nameWords: nameWords('Default project'), isDefault: true, fps: { num: 24, den: 1 }, resolution: { width: 1920, height: 1080 }, handles: 0, status: 'ACTIVE', members: [], createdBy: null, revision: 1, createdAt: now, updatedAt: now };
    try {
      await this.models.Project.collection.updateOne(filter, { $setOnInsert: insert }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const doc = await this.models.Project.findOne(filter).lean<ProjectDoc>().exec();
    if (!doc) throw new Error('default project missing after upsert');
    return doc;
  }

  update(studioId: StudioId, id: Types.ObjectId, revision: number, set: Partial<ProjectDoc>): Promise<ProjectDoc | null> {
    return this.models.Project.findOneAndUpdate(
      { _id: id, studioId, revision },
      { $set: { ...set, ...(set.name ? { nameLower: set.name.toLowerCase(), nameWords: nameWords(set.name) } : {}) }, $inc: { revision: 1 } },
      { returnDocument: 'after' },
    )
      .lean<ProjectDoc>()
      .exec();
  }

  list(studioId: StudioId, q: ProjectListQuery): Promise<Page<ProjectDoc>> {
    return listPage(this.models.Project, projectListQuery(studioId, q), { limit: q.limit, order: 'asc' });
  }

  /** Name words (queryWords) or code prefix: two index ranges ({studioId, nameWords}, {studioId, codeLower}). */
  async search(studioId: StudioId, prefix: string, words: string[], limit: number): Promise<ProjectDoc[]> {
    const re = { $regex: `^${escapeRegex(prefix.toLowerCase())}` };
    const [byName, byCode] = await Promise.all([
      words.length ? this.models.Project.find(nameWordsQuery<ProjectDoc>({ studioId }, words)).limit(limit).lean<ProjectDoc[]>().exec() : [],
      this.models.Project.find({ studioId, codeLower: re }).sort({ codeLower: 1 }).limit(limit).lean<ProjectDoc[]>().exec(),
    ]);
    const seen = new Set<string>();
    return [...byName, ...byCode].filter((p) => !seen.has(String(p._id)) && seen.add(String(p._id))).slice(0, limit);
  }

  // Episodes.
  async createEpisode(studioId: StudioId, e: Pick<EpisodeDoc, 'projectId' | 'code' | 'name' | 'order'>): Promise<EpisodeDoc> {
    return (await this.models.Episode.create({ ...e, studioId, codeLower: e.code.toLowerCase() })).toObject();
  }

  findEpisode(studioId: StudioId, id: Types.ObjectId | string): Promise<EpisodeDoc | null> {
    return findOwned(this.models.Episode, studioId, id);
  }

  listEpisodes(studioId: StudioId, projectId: Types.ObjectId, q: { limit: number; cursor?: string }): Promise<Page<EpisodeDoc>> {
    return listPage(this.models.Episode, orderedChildrenQuery<EpisodeDoc>(studioId, projectId, q.cursor), { limit: q.limit, order: 'asc' });
  }

  // Sequences.
  async createSequence(studioId: StudioId, s: Pick<SequenceDoc, 'projectId' | 'episodeId' | 'code' | 'name' | 'description' | 'order'>): Promise<SequenceDoc> {
    return (await this.models.Sequence.create({ ...s, studioId, codeLower: s.code.toLowerCase() })).toObject();
  }

  findSequence(studioId: StudioId, id: Types.ObjectId | string): Promise<SequenceDoc | null> {
    return findOwned(this.models.Sequence, studioId, id);
  }

  updateSequence(studioId: StudioId, id: Types.ObjectId, set: Partial<SequenceDoc>): Promise<SequenceDoc | null> {
    return this.models.Sequence.findOneAndUpdate({ _id: id, studioId }, { $set: set }, { returnDocument: 'after' }).lean<SequenceDoc>().exec();
  }

  listSequences(studioId: StudioId, projectId: Types.ObjectId, q: { limit: number; cursor?: string }): Promise<Page<SequenceDoc>> {
    return listPage(this.models.Sequence, orderedChildrenQuery<SequenceDoc>(studioId, projectId, q.cursor), { limit: q.limit, order: 'asc' });
  }

  /** Every sequence of a project (bounded: the editorial import and export read a whole cut). */
  allSequences(studioId: StudioId, projectId: Types.ObjectId, max = 10_000): Promise<SequenceDoc[]> {
    return this.models.Sequence.find({ studioId, projectId } as QueryFilter<SequenceDoc>).sort({ order: 1, _id: 1 }).limit(max).lean<SequenceDoc[]>().exec();
  }

  /** Creates the sequence unless one with the code exists (the import's key); returns it either way. */
  async upsertSequence(studioId: StudioId, s: Pick<SequenceDoc, 'projectId' | 'code' | 'order'>): Promise<SequenceDoc> {
    const sid = new Types.ObjectId(String(studioId));
    const filter = { studioId: sid, projectId: s.projectId, codeLower: s.code.toLowerCase() };
    const now = new Date();
    try {
      await this.models.Sequence.collection.updateOne(filter, { $setOnInsert: { ...filter, code: s.code, name: '', description: '', episodeId: null, order: s.order, createdAt: now, updatedAt: now } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const doc = await this.models.Sequence.findOne(filter).lean<SequenceDoc>().exec();
    if (!doc) throw new Error('sequence missing after upsert');
    return doc;
  }

  async highestSequenceOrder(studioId: StudioId, projectId: Types.ObjectId): Promise<number> {
    const top = await this.models.Sequence.findOne({ studioId, projectId }).sort({ order: -1, _id: -1 }).select({ order: 1 }).lean<{ order: number }>().exec();
    return top?.order ?? 0;
  }
}
