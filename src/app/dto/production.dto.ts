// The public shapes of production tracking: projects, episodes, sequences, shots, tasks and their
// configuration, casting and notifications.
import type { ProjectDoc, ProjectStatus, Rational } from '../repositories/models/Project';
import type { EpisodeDoc } from '../repositories/models/Episode';
import type { SequenceDoc } from '../repositories/models/Sequence';
import type { ShotDoc, ShotStatus } from '../repositories/models/Shot';
import type { TaskDoc, TaskEntity } from '../repositories/models/Task';
import type { TaskStatusDoc, TaskTypeDoc, TaskTypeFor } from '../repositories/models/TaskConfig';
import type { CastingDoc } from '../repositories/models/Casting';
import type { NotificationDoc, NotificationType } from '../repositories/models/Notification';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const rational = (r: Rational) => ({ num: r.num, den: r.den });

export interface ProjectDto {
  id: string;
  name: string;
  code: string;
  isDefault: boolean;
  fps: Rational;
  resolution: { width: number; height: number };
  handles: number;
  status: ProjectStatus;
  members: string[];
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export const toProjectDto = (p: ProjectDoc): ProjectDto => ({
  id: String(p._id),
  name: p.name,
  code: p.code,
  isDefault: p.isDefault ?? false,
  fps: rational(p.fps),
  resolution: { width: p.resolution.width, height: p.resolution.height },
  handles: p.handles,
  status: p.status,
  members: (p.members ?? []).map(String),
  revision: p.revision,
  createdAt: iso(p.createdAt)!,
  updatedAt: iso(p.updatedAt)!,
});

export interface EpisodeDto {
  id: string;
  projectId: string;
  code: string;
  name: string;
  order: number;
}

export const toEpisodeDto = (e: EpisodeDoc): EpisodeDto => ({ id: String(e._id), projectId: String(e.projectId), code: e.code, name: e.name, order: e.order });

export interface SequenceDto {
  id: string;
  projectId: string;
  episodeId: string | null;
  code: string;
  name: string;
  description: string;
  order: number;
}

export const toSequenceDto = (s: SequenceDoc): SequenceDto => ({
  id: String(s._id),
  projectId: String(s.projectId),
  episodeId: s.episodeId ? String(s.episodeId) : null,
  code: s.code,
  name: s.name,
  description: s.description,
  order: s.order,
});

export interface ShotDto {
  id: string;
  projectId: string;
  sequenceId: string;
  episodeId: string | null;
  code: string;
  cutOrder: number;
  frameIn: number;
  frameOut: number;
  /** frameOut - frameIn + 1 */
  frames: number;
  recordIn: number | null;
  recordOut: number | null;
  handles: number | null;
  fps: Rational | null;
  description: string;
  status: ShotStatus;
  /** The asset that carries the shot's versions, reviews and renders (upload to /assets/{assetId}/versions). */
  assetId: string | null;
  latestVersion: number;
  /** The latest version's thumbnail, when the shot has a version. */
  thumbnailUrl: string | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export const toShotDto = (s: ShotDoc, latestVersion = 0): ShotDto => ({
  id: String(s._id),
  projectId: String(s.projectId),
  sequenceId: String(s.sequenceId),
  episodeId: s.episodeId ? String(s.episodeId) : null,
  code: s.code,
  cutOrder: s.cutOrder,
  frameIn: s.frameIn,
  frameOut: s.frameOut,
  frames: s.frameOut - s.frameIn + 1,
  recordIn: s.recordIn ?? null,
  recordOut: s.recordOut ?? null,
  handles: s.handles ?? null,
  fps: s.fps ? rational(s.fps) : null,
  description: s.description,
  status: s.status,
  assetId: s.assetId ? String(s.assetId) : null,
  latestVersion,
  thumbnailUrl: s.assetId && latestVersion > 0 ? `/assets/${String(s.assetId)}/versions/${latestVersion}/thumbnail` : null,
  revision: s.revision,
  createdAt: iso(s.createdAt)!,
  updatedAt: iso(s.updatedAt)!,
});

export interface TaskDto {
  id: string;
  projectId: string;
  entityType: TaskEntity;
  entityId: string;
  assetId: string;
  taskTypeId: string;
  name: string;
  status: string;
  assignees: string[];
  reviewers: string[];
  dueDate: string | null;
  estimateHours: number | null;
  priority: number;
  submission: { assetId: string; version: number; by: string; at: string } | null;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

export const toTaskDto = (t: TaskDoc): TaskDto => ({
  id: String(t._id),
  projectId: String(t.projectId),
  entityType: t.entityType,
  entityId: String(t.entityId),
  assetId: String(t.assetId),
  taskTypeId: String(t.taskTypeId),
  name: t.name,
  status: t.status,
  assignees: (t.assignees ?? []).map(String),
  // Tasks made before reviewers existed carry none: the studio's DIRECTORs review them.
  reviewers: (t.reviewers ?? []).map(String),
  dueDate: iso(t.dueDate),
  estimateHours: t.estimateHours ?? null,
  priority: t.priority,
  submission: t.submission ? { assetId: String(t.submission.assetId), version: t.submission.version, by: String(t.submission.by), at: iso(t.submission.at)! } : null,
  revision: t.revision,
  createdAt: iso(t.createdAt)!,
  updatedAt: iso(t.updatedAt)!,
});

/** One row of the review queue: the task, where it sits, and the version waiting since its submission. */
export interface WaitingReviewDto {
  task: TaskDto;
  project: { id: string; name: string } | null;
  entity: { type: TaskEntity; id: string; label: string };
  assetId: string;
  version: number;
  latestVersion: number | null;
  submittedBy: { id: string; name: string } | null;
  submittedAt: string;
}

export interface TaskTypeDto {
  id: string;
  name: string;
  color: string;
  order: number;
  for: TaskTypeFor;
}

export const toTaskTypeDto = (t: TaskTypeDoc): TaskTypeDto => ({ id: String(t._id), name: t.name, color: t.color, order: t.order, for: t.for });

export interface TaskStatusDto {
  id: string;
  code: string;
  name: string;
  color: string;
  isDone: boolean;
  order: number;
  /** The workflow moves tasks to it (TODO, READY, WIP, WFA, RETAKE, DONE): it can be renamed, not removed. */
  system: boolean;
}

export const toTaskStatusDto = (s: TaskStatusDoc): TaskStatusDto => ({ id: String(s._id), code: s.code, name: s.name, color: s.color, isDone: s.isDone, order: s.order, system: s.system });

export interface CastingDto {
  shotId: string;
  assetId: string;
  count: number;
}

export const toCastingDto = (c: CastingDoc): CastingDto => ({ shotId: String(c.shotId), assetId: String(c.assetId), count: c.count });

export interface NotificationDto {
  id: string;
  type: NotificationType;
  read: boolean;
  actorId: string | null;
  taskId: string | null;
  assetId: string | null;
  version: number | null;
  commentId: string | null;
  text: string;
  createdAt: string;
}

export const toNotificationDto = (n: NotificationDoc): NotificationDto => ({
  id: String(n._id),
  type: n.type,
  read: n.read,
  actorId: n.actorId ? String(n.actorId) : null,
  taskId: n.taskId ? String(n.taskId) : null,
  assetId: n.assetId ? String(n.assetId) : null,
  version: n.version ?? null,
  commentId: n.commentId ? String(n.commentId) : null,
  text: n.text,
  createdAt: iso(n.createdAt)!,
});
