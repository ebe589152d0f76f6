// The project dashboards: a page of shots (in cut order) or assets (by name) with every task's status,
// assignees and due date, plus the columns (task types) and colours (statuses). A fixed number of queries
// per page whatever its size: the project, the rows, their tasks, (for shots) their backing assets for the
// thumbnails, the task types and the statuses; never one per row.
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import type { TaskDoc } from '../repositories/models/Task';
import type { Page } from '../repositories/pagination';
import type { ProjectService } from './ProjectService';
import type { ShotService } from './ShotService';
import type { Actor } from './types';
import { toAssetDto, toShotDto, toTaskStatusDto, toTaskTypeDto, type AssetDto, type ShotDto, type TaskStatusDto, type TaskTypeDto } from '../dto';

export interface GridCell {
  id: string;
  taskTypeId: string;
  status: string;
  assignees: string[];
  dueDate: string | null;
}
export interface GridColumns {
  taskTypes: TaskTypeDto[];
  statuses: TaskStatusDto[];
}
export type ShotGridPage = Page<{ shot: ShotDto; tasks: GridCell[] }> & GridColumns;
export type AssetGridPage = Page<{ asset: AssetDto; tasks: GridCell[] }> & GridColumns;

function cellsByEntity(tasks: TaskDoc[]): Map<string, GridCell[]> {
  const byEntity = new Map<string, GridCell[]>();
  for (const t of tasks) {
    const cells = byEntity.get(String(t.entityId)) ?? [];
    cells.push({ id: String(t._id), taskTypeId: String(t.taskTypeId), status: t.status, assignees: t.assignees.map(String), dueDate: t.dueDate ? t.dueDate.toISOString() : null });
    byEntity.set(String(t.entityId), cells);
  }
  return byEntity;
}

export class GridService {
  constructor(
    private readonly deps: {
      projects: ProjectService;
      shots: ShotRepository;
      shotService: ShotService;
      assets: AssetRepository;
      tasks: TaskRepository;
      ensureTaskConfig: (studioId: string) => Promise<void>;
    },
  ) {}

  async shots(actor: Actor, projectId: string, q: { limit: number; cursor?: string }): Promise<ShotGridPage> {
    const project = await this.deps.projects.require(actor, 'project:read', projectId);
    await this.deps.ensureTaskConfig(actor.studioId);
    const page = await this.deps.shots.listByProject(actor.studioId, project._id, q);
    const [tasks, latest, columns] = await Promise.all([
      this.deps.tasks.ofEntities(actor.studioId, page.data.map((s) => s._id)),
      this.deps.shotService.latestVersions(actor.studioId, page.data),
      this.columns(actor.studioId, 'ASSET'),
    ]);
    const cells = cellsByEntity(tasks);
    return { data: page.data.map((s) => ({ shot: toShotDto(s, latest.get(String(s.assetId)) ?? 0), tasks: cells.get(String(s._id)) ?? [] })), page: page.page, ...columns };
  }

  /** The project's assets by name (the asset list's own indexed shape) with their tasks. */
  async assets(actor: Actor, projectId: string, q: { limit: number; cursor?: string }): Promise<AssetGridPage> {
    const project = await this.deps.projects.require(actor, 'project:read', projectId);
    await this.deps.ensureTaskConfig(actor.studioId);
    const page = await this.deps.assets.list(actor.studioId, { limit: q.limit, cursor: q.cursor, sort: 'name', order: 'asc', projectId: String(project._id), archived: false });
    const [tasks, columns] = await Promise.all([this.deps.tasks.ofEntities(actor.studioId, page.data.map((a) => a._id)), this.columns(actor.studioId, 'SHOT')]);
    const cells = cellsByEntity(tasks);
    return { data: page.data.map((a) => ({ asset: toAssetDto(a), tasks: cells.get(String(a._id)) ?? [] })), page: page.page, ...columns };
  }

  private async columns(studioId: string, except: 'ASSET' | 'SHOT'): Promise<GridColumns> {
    const [types, statuses] = await Promise.all([this.deps.tasks.types(studioId), this.deps.tasks.statuses(studioId)]);
    return { taskTypes: types.filter((t) => t.for !== except).map(toTaskTypeDto), statuses: statuses.map(toTaskStatusDto) };
  }
}
