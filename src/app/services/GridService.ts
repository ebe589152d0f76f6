// The project dashboards: a page of shots (in cut order) or assets (by name) with every task's status,
// assignees and due date, plus the columns (task types) and colours (statuses). A fixed number of queries
// per page whatever its size: the project, the rows, their tasks, (for shots) their backing assets for the
// thumbnails, the task types and the statuses; never one per row.
import type { AssetRepository } from '../repositories/AssetRepository';
import { GRID_SORTS, type GridView, type ShotRepository } from '../repositories/ShotRepository';
import { encodeCursor } from '../repositories/pagination';
import type { ShotDoc } from '../repositories/models/Shot';
import { NO_DUE_DATE } from '../repositories/models/Task';
import { NotFoundError } from '../../shared/errors';
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
  revision: number;
}
export interface GridColumns {
  taskTypes: TaskTypeDto[];
  statuses: TaskStatusDto[];
}
export type ShotGridPage = Page<{ shot: ShotDto; tasks: GridCell[]; nextDueDate: string | null }> & GridColumns & { total: number | null; offset: number | null };
export type ShotGridQuery = GridView & { limit: number; cursor?: string; at?: number; code?: string };
export type AssetGridPage = Page<{ asset: AssetDto; tasks: GridCell[] }> & GridColumns;

function cellsByEntity(tasks: TaskDoc[]): Map<string, GridCell[]> {
  const byEntity = new Map<string, GridCell[]>();
  for (const t of tasks) {
    const cells = byEntity.get(String(t.entityId)) ?? [];
    cells.push({ id: String(t._id), taskTypeId: String(t.taskTypeId), status: t.status, assignees: t.assignees.map(String), dueDate: t.dueDate ? t.dueDate.toISOString() : null, revision: t.revision });
    byEntity.set(String(t.entityId), cells);
  }
  return byEntity;
}

/** The cursor that continues a view right after this shot. */
const rowCursor = (view: GridView, shot: ShotDoc) => {
  const field = GRID_SORTS[view.sort];
  return encodeCursor(field, view.order, ((shot as unknown as Record<string, string | number | Date | null>)[field]) ?? null, shot._id);
};

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

  /**
   * A page of the shot grid in one of its orders. Continued by cursor it is a keyset page; otherwise it also
   * says how many rows the order has and where the page starts: at the first row, at row `at` (skipped from
   * the nearer end of the index), or at the shot with `code` (its position counted over the index).
   */
  async shots(actor: Actor, projectId: string, q: ShotGridQuery): Promise<ShotGridPage> {
    const project = await this.deps.projects.require(actor, 'project:read', projectId);
    await this.deps.ensureTaskConfig(actor.studioId);
    const view: GridView = { sort: q.sort, order: q.order, ...(q.q ? { q: q.q } : {}) };
    const { shots } = this.deps;
    let page: Page<ShotDoc>;
    let total: number | null = null;
    let offset: number | null = null;
    if (q.cursor) {
      page = await shots.gridPage(actor.studioId, project._id, view, q);
    } else if (q.code !== undefined) {
      const shot = await shots.findByCode(actor.studioId, project._id, q.code);
      if (!shot || (view.q && !shot.codeLower.startsWith(view.q.toLowerCase()))) throw new NotFoundError('SHOT_NOT_FOUND', `No shot with the code ${q.code} in this project${view.q ? ' matches the search' : ''}`);
      const [count, position, after] = await Promise.all([
        shots.gridCount(actor.studioId, project._id, view),
        shots.gridPosition(actor.studioId, project._id, view, shot),
        q.limit > 1 ? shots.gridPage(actor.studioId, project._id, view, { limit: q.limit - 1, cursor: rowCursor(view, shot) }) : null,
      ]);
      [total, offset] = [count, position];
      page = after ? { data: [shot, ...after.data], page: { ...after.page, limit: q.limit } } : { data: [shot], page: { limit: 1, nextCursor: position + 1 < count ? rowCursor(view, shot) : null, hasMore: position + 1 < count } };
    } else {
      total = await shots.gridCount(actor.studioId, project._id, view);
      offset = q.at ?? 0;
      page = offset === 0 ? await shots.gridPage(actor.studioId, project._id, view, q) : await shots.gridWindow(actor.studioId, project._id, view, offset, q.limit, total);
    }
    const [tasks, latest, columns] = await Promise.all([
      this.deps.tasks.ofEntities(actor.studioId, page.data.map((s) => s._id)),
      this.deps.shotService.latestVersions(actor.studioId, page.data),
      this.columns(actor.studioId, 'ASSET'),
    ]);
    const cells = cellsByEntity(tasks);
    const data = page.data.map((s) => ({ shot: toShotDto(s, latest.get(String(s.assetId)) ?? 0), tasks: cells.get(String(s._id)) ?? [], nextDueDate: s.dueSort && s.dueSort < NO_DUE_DATE ? s.dueSort.toISOString() : null }));
    return { data, page: page.page, total, offset, ...columns };
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
