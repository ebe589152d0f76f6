// Per-member notifications, made from domain events: assigned to a task, a comment on a version submitted
// for your task, your version approved or sent back, a mention (@name) in a comment, a version waiting for
// your review (to the studio's DIRECTORs). Each goes to the
// member's list and, live, to their sockets (notification:new); never to the studio-wide log.
import { Types } from 'mongoose';
import { NotFoundError } from '../../shared/errors';
import type { NotificationRepository } from '../repositories/NotificationRepository';
import type { TaskRepository } from '../repositories/TaskRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { VersionRepository } from '../repositories/VersionRepository';
import type { NotificationDoc, NotificationType } from '../repositories/models/Notification';
import { WORKFLOW_STATUSES } from '../repositories/models/TaskConfig';
import { DIGEST_PERIOD_MS, type DigestFrequency } from '../repositories/models/DigestSetting';

export interface DigestDto {
  frequency: DigestFrequency;
  /** When the next digest is due (ISO), null when off. */
  nextAt: string | null;
}
import type { Page } from '../repositories/pagination';
import type { AccessService } from './AccessService';
import type { DomainEventMap, DomainEvents } from '../events';
import type { Actor } from './types';
import { toNotificationDto, type NotificationDto } from '../dto';

type NewNotification = Omit<NotificationDoc, '_id' | 'studioId' | 'createdAt' | 'read'>;

/** The handles a comment mentions: `@` then letters, digits, dot, dash or underscore (linear scan). */
export function mentionsIn(body: string): string[] {
  return [...new Set([...body.matchAll(/(?:^|[^\p{L}\p{N}_])@([\p{L}\p{N}][\p{L}\p{N}._-]{0,63})/gu)].map((m) => trimDots(m[1]!.toLowerCase())))];
}

/** "@ana." at the end of a sentence mentions ana (a scan, not a regex: no backtracking on long runs of dots). */
function trimDots(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === '.') end--;
  return s.slice(0, end);
}

/** How a member is mentioned: their name without spaces, or the part of their address before the @. */
export const handlesOf = (u: { name: string; email: string }) => [u.name.replace(/\s+/g, '').toLowerCase(), u.email.split('@')[0]!.toLowerCase()];

const excerpt = (s: string) => (s.length > 140 ? `${s.slice(0, 139)}…` : s);

export class NotificationService {
  constructor(
    private readonly deps: {
      notifications: NotificationRepository;
      tasks: TaskRepository;
      users: UserRepository;
      versions: VersionRepository;
      access: AccessService;
      events: DomainEvents;
    },
  ) {}

  /** Subscribes to the events notifications come from; returns the unsubscribers. */
  listen(): Array<() => void> {
    return [
      this.deps.events.on('task.assigned', (e) => this.onAssigned(e)),
      this.deps.events.on('comment.created', (e) => this.onComment(e)),
      this.deps.events.on('review.decided', (e) => this.onReview(e)),
      this.deps.events.on('task.updated', (e) => this.onWaiting(e)),
    ];
  }

  async list(actor: Actor, q: { limit: number; cursor?: string; unread?: boolean }): Promise<Page<NotificationDto>> {
    this.deps.access.require(actor, 'notification:read');
    const page = await this.deps.notifications.list(actor.studioId, actor.id, q);
    return { ...page, data: page.data.map(toNotificationDto) };
  }

  async unreadCount(actor: Actor): Promise<{ unread: number }> {
    this.deps.access.require(actor, 'notification:read');
    return { unread: await this.deps.notifications.unreadCount(actor.studioId, actor.id) };
  }

  async markRead(actor: Actor, id: string): Promise<NotificationDto> {
    this.deps.access.require(actor, 'notification:read');
    // Someone else's notification (of this studio or another) is as missing as one that never existed.
    const doc = /^[a-f0-9]{24}$/i.test(id) ? await this.deps.notifications.markRead(actor.studioId, actor.id, id) : null;
    if (!doc) throw new NotFoundError('NOTIFICATION_NOT_FOUND', 'Notification not found');
    return toNotificationDto(doc);
  }

  /** Marks the named notifications read; ids of others' (or of none) mark nothing and are not told apart. */
  async markManyRead(actor: Actor, ids: string[]): Promise<{ marked: number }> {
    this.deps.access.require(actor, 'notification:read');
    return { marked: await this.deps.notifications.markManyRead(actor.studioId, actor.id, ids) };
  }

  /** The caller's email digest: off unless they asked for one. */
  async digest(actor: Actor): Promise<DigestDto> {
    this.deps.access.require(actor, 'notification:read');
    const d = await this.deps.notifications.digestSetting(actor.studioId, actor.id);
    return { frequency: d?.frequency ?? 'OFF', nextAt: d?.nextAt ? d.nextAt.toISOString() : null };
  }

  /** Sets the caller's digest; its first mail is one period from now and lists what comes in from now on. */
  async setDigest(actor: Actor, frequency: DigestFrequency, now = new Date()): Promise<DigestDto> {
    this.deps.access.require(actor, 'notification:read');
    const nextAt = frequency === 'OFF' ? null : new Date(now.getTime() + DIGEST_PERIOD_MS[frequency]);
    const d = await this.deps.notifications.setDigest(actor.studioId, actor.id, frequency, nextAt, now);
    return { frequency: d?.frequency ?? frequency, nextAt: d?.nextAt ? d.nextAt.toISOString() : null };
  }

  async markAllRead(actor: Actor): Promise<{ marked: number }> {
    this.deps.access.require(actor, 'notification:read');
    return { marked: await this.deps.notifications.markAllRead(actor.studioId, actor.id) };
  }

  private async onAssigned(e: DomainEventMap['task.assigned']): Promise<void> {
    await this.send(
      e.studioId,
      e.userIds.filter((u) => u !== e.actorId).map((userId) => ({ userId: new Types.ObjectId(userId), type: 'TASK_ASSIGNED' as const, actorId: new Types.ObjectId(e.actorId), taskId: new Types.ObjectId(e.task.id), assetId: new Types.ObjectId(e.task.assetId), version: null, commentId: null, text: `You were assigned ${e.task.name}` })),
    );
  }

  private async onComment(e: DomainEventMap['comment.created']): Promise<void> {
    const c = e.comment;
    const base = { actorId: new Types.ObjectId(e.actorId), assetId: new Types.ObjectId(c.assetId), version: c.version, commentId: new Types.ObjectId(c.id) };
    const out = new Map<string, NewNotification>();
    // Mentions first: a mentioned assignee gets one notification, the mention.
    const handles = mentionsIn(c.body);
    if (handles.length) {
      const members = (await this.deps.users.list(e.studioId, { limit: 1000 })).data;
      for (const m of members) {
        if (String(m._id) === c.authorId || !handlesOf(m).some((h) => handles.includes(h))) continue;
        out.set(String(m._id), { ...base, userId: m._id, type: 'MENTION', taskId: null, text: `Mentioned you: ${excerpt(c.body)}` });
      }
    }
    if (c.version !== null) {
      for (const task of await this.deps.tasks.submittedWith(e.studioId, c.assetId, c.version)) {
        for (const u of [...task.assignees, ...(task.submission ? [task.submission.by] : [])]) {
          if (String(u) === c.authorId || out.has(String(u))) continue;
          out.set(String(u), { ...base, userId: u, type: 'TASK_COMMENT', taskId: task._id, text: `Comment on ${task.name} v${c.version}: ${excerpt(c.body)}` });
        }
      }
    }
    await this.send(e.studioId, [...out.values()]);
  }

  private async onReview(e: DomainEventMap['review.decided']): Promise<void> {
    const r = e.review;
    const type: NotificationType = r.decision === 'APPROVED' ? 'VERSION_APPROVED' : 'VERSION_CHANGES_REQUESTED';
    const verb = r.decision === 'APPROVED' ? 'approved' : 'sent back';
    const version = await this.deps.versions.findOne(e.studioId, r.assetId, r.version);
    const tasks = await this.deps.tasks.submittedWith(e.studioId, r.assetId, r.version);
    const out = new Map<string, NewNotification>();
    const add = (u: Types.ObjectId, taskId: Types.ObjectId | null, what: string) => {
      if (String(u) === e.actorId || out.has(String(u))) return;
      out.set(String(u), { userId: u, type, actorId: new Types.ObjectId(e.actorId), taskId, assetId: new Types.ObjectId(r.assetId), version: r.version, commentId: null, text: `${what} v${r.version} was ${verb}${r.note ? `: ${excerpt(r.note)}` : ''}` });
    };
    for (const t of tasks) {
      if (t.submission) add(t.submission.by, t._id, t.name);
      for (const a of t.assignees) add(a, t._id, t.name);
    }
    if (version) add(version.createdBy, tasks[0]?._id ?? null, 'Your version');
    await this.send(e.studioId, [...out.values()]);
  }

  /**
   * A task that starts waiting for approval (a version submitted for it, or its status moved to WFA) tells
   * its reviewers, or, when it names none, the studio's DIRECTORs. Never the one who submitted or moved it.
   */
  private async onWaiting(e: DomainEventMap['task.updated']): Promise<void> {
    const t = e.task;
    if (t.status !== WORKFLOW_STATUSES.waitingForApproval || (e.reason !== 'submission' && e.from === undefined)) return;
    // Reviewers were checked as members when set; one who left since is skipped (ownedIds is studio-scoped).
    const named = t.reviewers.length ? await this.deps.users.ownedIds(e.studioId, t.reviewers) : null;
    const directors = named ? [...named].map((id) => ({ _id: new Types.ObjectId(id) })) : await this.deps.users.directors(e.studioId);
    const version = t.submission?.version ?? null;
    const text = version !== null ? `${t.name} v${version} is waiting for your review` : `${t.name} is waiting for your review`;
    await this.send(
      e.studioId,
      directors.filter((d) => String(d._id) !== e.actorId).map((d) => ({ userId: d._id, type: 'REVIEW_REQUESTED' as const, actorId: new Types.ObjectId(e.actorId), taskId: new Types.ObjectId(t.id), assetId: new Types.ObjectId(t.submission?.assetId ?? t.assetId), version, commentId: null, text })),
    );
  }

  private async send(studioId: string, docs: NewNotification[]): Promise<void> {
    const created = await this.deps.notifications.insertMany(studioId, docs);
    for (const n of created) this.deps.events.emit('notification.created', { studioId, userId: String(n.userId), notification: toNotificationDto(n) });
  }
}
