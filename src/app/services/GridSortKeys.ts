// The shot grid's sort keys, stored on each shot so that sorting a project's shots by them is an index scan
// (models/Shot.ts): the latest version number of the shot's backing asset, and the earliest due date of its
// open tasks. Kept from the domain events that change them (container.ts), after the change is stored.
import type { Types } from 'mongoose';
import type { AssetRepository } from '../repositories/AssetRepository';
import type { ShotRepository } from '../repositories/ShotRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import { NO_DUE_DATE } from '../repositories/models/Task';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import type { TaskDto } from '../dto';

/** The task changes that can move a shot's next due date. */
const MOVES_DUE = new Set(['dueDate', 'status']);

export class GridSortKeys {
  constructor(private readonly deps: { shots: ShotRepository; assets: AssetRepository; tasks: TaskRepository; locks: LeaseLock }) {}

  /** A new version of a shot's backing asset raises the shot's latest version ($max: racing versions agree). */
  async onVersion(studioId: string, assetId: string, version: number): Promise<void> {
    const asset = await this.deps.assets.findById(studioId, assetId);
    if (asset?.shotId) await this.deps.shots.raiseLatestVersion(studioId, asset.shotId, version);
  }

  /** A shot task created with a due date, or changed in due date or status, moves the shot's next due date. */
  async onTask(studioId: string, task: TaskDto, changes?: string[]): Promise<void> {
    if (task.entityType !== 'SHOT') return;
    if (changes ? !changes.some((c) => MOVES_DUE.has(c)) : task.dueDate === null) return;
    const shot = await this.deps.shots.findById(studioId, task.entityId);
    if (shot) await this.refreshDue(studioId, shot._id);
  }

  /**
   * Reads the shot's tasks and stores the earliest due date among the open ones. Under the shot's lease: two
   * refreshes that overlapped could otherwise store the one that read before the other's task change; one
   * after another, the last to run reads every change made before it started.
   */
  async refreshDue(studioId: string, shotId: Types.ObjectId): Promise<void> {
    await this.deps.locks.withLock(`shot-due:${String(shotId)}`, async () => {
      const [tasks, statuses] = await Promise.all([this.deps.tasks.ofEntities(studioId, [shotId]), this.deps.tasks.statuses(studioId)]);
      const done = new Set(statuses.filter((s) => s.isDone).map((s) => s.code));
      let due = NO_DUE_DATE;
      for (const t of tasks) if (t.dueDate && !done.has(t.status) && t.dueDate < due) due = t.dueDate;
      await this.deps.shots.setDueSort(studioId, shotId, due);
    });
  }
}
