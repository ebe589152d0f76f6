// Notifications grouped for people (issue 28: one bulk assignment of 30 tasks made 30 entries).
import { describe, expect, it } from 'vitest';
import { chunks, groupNotifications, groupTitle, notificationHref, type Notification } from '../src/inbox/group';

const at = (min: number) => new Date(Date.UTC(2026, 11, 8, 12, 0) - min * 60_000).toISOString();
let seq = 0;
const n = (over: Partial<Notification>): Notification => ({ id: `n${seq++}`, type: 'TASK_ASSIGNED', read: false, actorId: 'ana', taskId: 't', assetId: 'a', version: null, commentId: null, text: 'You were assigned SH0010 Animation', createdAt: at(0), ...over });

describe('groupNotifications', () => {
  it('folds one bulk assignment of 30 tasks into one entry that counts them', () => {
    const bulk = Array.from({ length: 30 }, (_, i) => n({ createdAt: at(i * 0.01), read: i < 5 }));
    const groups = groupNotifications(bulk);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.items).toHaveLength(30);
    expect(groups[0]!.unread).toBe(25);
    expect(groupTitle(groups[0]!, 'Ana')).toBe('30 tasks assigned to you by Ana');
  });
  it('keeps kinds, people and moments apart, newest first, and groups across interleaving', () => {
    const list = [
      n({ createdAt: at(0) }),
      n({ type: 'REVIEW_REQUESTED', createdAt: at(1), text: 'SH0010 Animation v3 is waiting for your review' }),
      n({ createdAt: at(2) }),
      n({ actorId: 'bo', createdAt: at(3) }),
      n({ createdAt: at(30) }),
    ];
    const groups = groupNotifications(list);
    expect(groups.map((g) => [g.type, g.actorId, g.items.length])).toEqual([['TASK_ASSIGNED', 'ana', 2], ['REVIEW_REQUESTED', 'ana', 1], ['TASK_ASSIGNED', 'bo', 1], ['TASK_ASSIGNED', 'ana', 1]]);
    expect(groupTitle(groups[1]!, 'Ana')).toBe('SH0010 Animation v3 is waiting for your review');
  });
  it('never lets one group span more than its window, however long a run is', () => {
    const run = Array.from({ length: 10 }, (_, i) => n({ createdAt: at(i * 4) }));
    const groups = groupNotifications(run, 10 * 60_000);
    expect(groups.map((g) => g.items.length)).toEqual([3, 3, 3, 1]);
  });
});

describe('notificationHref and chunks', () => {
  it('opens the version to review for a review request, the task otherwise', () => {
    expect(notificationHref({ type: 'REVIEW_REQUESTED', taskId: 't1', assetId: 'a1', version: 3 })).toBe('/assets/a1/versions/3');
    expect(notificationHref({ type: 'TASK_ASSIGNED', taskId: 't1', assetId: 'a1', version: null })).toBe('/tasks/t1');
  });
  it('splits ids into requests of the API\'s cap', () => {
    expect(chunks(Array.from({ length: 250 }, (_, i) => i), 100).map((c) => c.length)).toEqual([100, 100, 50]);
    expect(chunks([], 100)).toEqual([]);
  });
});
