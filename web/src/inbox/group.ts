// Notifications folded into groups for people: one bulk assignment of 30 tasks is one entry "30 tasks assigned
// to you by Ana", expandable, not 30 lines. Same kind, same person, close in time (newest first in, newest first out).
import type { components } from '../api/schema';

export type Notification = components['schemas']['Notification'];
export type Kind = Notification['type'];

export interface NotificationGroup {
  key: string;
  type: Kind;
  actorId: string | null;
  /** Newest first. */
  items: Notification[];
  unread: number;
}

/** How far apart two notifications of one person and kind may be and still be one group: one bulk action. */
export const GROUP_WINDOW_MS = 10 * 60_000;

export const KIND_LABELS: Record<Kind, string> = {
  TASK_ASSIGNED: 'Assignments',
  REVIEW_REQUESTED: 'Waiting for review',
  VERSION_APPROVED: 'Approvals',
  VERSION_CHANGES_REQUESTED: 'Changes requested',
  TASK_COMMENT: 'Comments on your tasks',
  MENTION: 'Mentions',
};

/** Groups a newest-first list; interleaved kinds still group, as long as each group spans at most the window. */
export function groupNotifications(list: readonly Notification[], windowMs = GROUP_WINDOW_MS): NotificationGroup[] {
  const groups: NotificationGroup[] = [];
  const open = new Map<string, NotificationGroup>();
  for (const n of list) {
    const id = `${n.type}:${n.actorId ?? ''}`;
    const g = open.get(id);
    const oldest = g?.items[g.items.length - 1];
    if (g && oldest && Date.parse(oldest.createdAt) - Date.parse(n.createdAt) <= windowMs && Date.parse(g.items[0]!.createdAt) - Date.parse(n.createdAt) <= windowMs) {
      g.items.push(n);
      if (!n.read) g.unread++;
      continue;
    }
    const fresh: NotificationGroup = { key: n.id, type: n.type, actorId: n.actorId, items: [n], unread: n.read ? 0 : 1 };
    groups.push(fresh);
    open.set(id, fresh);
  }
  return groups;
}

/** The one line a group shows: the notification's own text when alone, a count in words when many. */
export function groupTitle(g: NotificationGroup, actorName: string): string {
  const n = g.items.length;
  if (n === 1) return g.items[0]!.text;
  switch (g.type) {
    case 'TASK_ASSIGNED': return `${n} tasks assigned to you by ${actorName}`;
    case 'REVIEW_REQUESTED': return `${n} versions waiting for your review, from ${actorName}`;
    case 'VERSION_APPROVED': return `${n} versions approved by ${actorName}`;
    case 'VERSION_CHANGES_REQUESTED': return `${n} versions sent back by ${actorName}`;
    case 'TASK_COMMENT': return `${n} comments by ${actorName} on your tasks`;
    case 'MENTION': return `${actorName} mentioned you ${n} times`;
  }
}

/** Where a notification leads: the version to review, its task, else the version it is about, else the asset. */
export function notificationHref(n: Pick<Notification, 'taskId' | 'assetId' | 'version'> & { type?: Kind }): string | null {
  if (n.type === 'REVIEW_REQUESTED' && n.assetId && n.version !== null) return `/assets/${n.assetId}/versions/${n.version}`;
  if (n.taskId) return `/tasks/${n.taskId}`;
  if (n.assetId && n.version !== null) return `/assets/${n.assetId}/versions/${n.version}`;
  if (n.assetId) return `/assets/${n.assetId}`;
  return null;
}

/** Ids in requests of at most `cap` (the API's bulk mark-read takes 100). */
export function chunks<T>(ids: readonly T[], cap: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += cap) out.push(ids.slice(i, i + cap));
  return out;
}
