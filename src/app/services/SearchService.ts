// One search over a studio's projects, assets, shots and tasks: names by the starts of their words (nameWords.ts),
// codes by prefix, each from one index range led by the tenant (never a scan of another studio's data). Each
// kind's first `limit` matches come in index order, so the service sorts the few it returns by name.
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import type { AccessService } from './AccessService';
import type { Actor } from './types';
import { queryWords } from '../repositories/nameWords';
import { toAssetDto, toProjectDto, toShotDto, toTaskDto, type AssetDto, type ProjectDto, type ShotDto, type TaskDto } from '../dto';

export const SEARCH_KINDS = ['projects', 'assets', 'shots', 'tasks'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchResult {
  projects: ProjectDto[];
  assets: AssetDto[];
  shots: ShotDto[];
  tasks: TaskDto[];
}

const byName = <T extends { nameLower: string }>(rows: T[]): T[] => rows.sort((a, b) => (a.nameLower < b.nameLower ? -1 : a.nameLower > b.nameLower ? 1 : 0));

export class SearchService {
  constructor(private readonly deps: { projects: ProjectRepository; assets: AssetRepository; shots: ShotRepository; tasks: TaskRepository; access: AccessService }) {}

  async search(actor: Actor, q: string, kinds: readonly SearchKind[], limit: number): Promise<SearchResult> {
    this.deps.access.require(actor, 'project:read');
    const want = new Set(kinds);
    const words = queryWords(q);
    const none = Promise.resolve([]);
    const [projects, assets, shots, tasks] = await Promise.all([
      want.has('projects') ? this.deps.projects.search(actor.studioId, q, words, limit) : none,
      want.has('assets') ? this.deps.assets.search(actor.studioId, words, limit) : none,
      want.has('shots') ? this.deps.shots.search(actor.studioId, q, limit) : none,
      want.has('tasks') ? this.deps.tasks.search(actor.studioId, words, limit) : none,
    ]);
    return { projects: byName(projects).map(toProjectDto), assets: byName(assets).map(toAssetDto), shots: shots.map((s) => toShotDto(s)), tasks: byName(tasks).map(toTaskDto) };
  }
}
