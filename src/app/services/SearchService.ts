// One search over a studio's projects, assets, shots and tasks by name or code prefix, each from an index
// range led by the tenant (never a scan of another studio's data).
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ProjectRepository } from '../repositories/ProjectRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import type { AccessService } from './AccessService';
import type { Actor } from './types';
import { toAssetDto, toProjectDto, toShotDto, toTaskDto, type AssetDto, type ProjectDto, type ShotDto, type TaskDto } from '../dto';

export const SEARCH_KINDS = ['projects', 'assets', 'shots', 'tasks'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchResult {
  projects: ProjectDto[];
  assets: AssetDto[];
  shots: ShotDto[];
  tasks: TaskDto[];
}

export class SearchService {
  constructor(private readonly deps: { projects: ProjectRepository; assets: AssetRepository; shots: ShotRepository; tasks: TaskRepository; access: AccessService }) {}

  async search(actor: Actor, q: string, kinds: readonly SearchKind[], limit: number): Promise<SearchResult> {
    this.deps.access.require(actor, 'project:read');
    const want = new Set(kinds);
    const none = Promise.resolve([]);
    const [projects, assets, shots, tasks] = await Promise.all([
      want.has('projects') ? this.deps.projects.search(actor.studioId, q, limit) : none,
      want.has('assets') ? this.deps.assets.list(actor.studioId, { limit, sort: 'name', order: 'asc', q, archived: false }).then((p) => p.data) : none,
      want.has('shots') ? this.deps.shots.search(actor.studioId, q, limit) : none,
      want.has('tasks') ? this.deps.tasks.search(actor.studioId, q, limit) : none,
    ]);
    return { projects: projects.map(toProjectDto), assets: assets.map(toAssetDto), shots: shots.map((s) => toShotDto(s)), tasks: tasks.map(toTaskDto) };
  }
}
