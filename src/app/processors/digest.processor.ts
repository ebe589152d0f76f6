// Email digests of unread notifications: each round sends every due member one mail listing what came in
// their period and is still unread (nothing unread, no mail), then moves their next digest one period on.
// Every api instance runs rounds; a claim per (setting, due time) lets exactly one send each digest.
import type { NotificationRepository } from '../repositories/NotificationRepository';
import type { UserRepository } from '../repositories/UserRepository';
import type { StudioRepository } from '../repositories/StudioRepository';
import type { LeaseLock } from '../../infra/database/LeaseLock';
import { DIGEST_PERIOD_MS } from '../repositories/models/DigestSetting';
import { mails, type MailLinks, type Mailer } from '../services/Mailer';
import type { Logger } from '../../infra/logging/logger';

/** Digests per round, and notifications listed in one mail (the rest are counted, not listed). */
export const DIGEST_BATCH = 200;
export const DIGEST_LISTED = 50;

export interface DigestDeps {
  notifications: NotificationRepository;
  users: UserRepository;
  studios: StudioRepository;
  locks: LeaseLock;
  mailer: Mailer;
  links: MailLinks;
  logger: Pick<Logger, 'warn'>;
}

/** One round at `now`; resolves to how many mails went out. */
export async function sendDigests(d: DigestDeps, now = new Date()): Promise<number> {
  let sent = 0;
  for (const setting of await d.notifications.dueDigests(now, DIGEST_BATCH)) {
    if (setting.frequency === 'OFF' || !setting.nextAt) continue;
    const period = DIGEST_PERIOD_MS[setting.frequency];
    const due = setting.nextAt;
    if (!(await d.locks.claimOnce(`digest:${String(setting._id)}:${due.getTime()}`, period))) continue;
    const since = setting.coveredUntil ?? new Date(due.getTime() - period);
    // A digest long overdue (the api was down) starts again from now, rather than firing once per missed period.
    const next = new Date(Math.max(due.getTime() + period, now.getTime() + 1));
    try {
      const member = await d.users.findById(setting.studioId, setting.userId);
      const unread = member?.active && member.kind !== 'BOT' ? await d.notifications.unreadSince(setting.studioId, String(setting.userId), since, DIGEST_LISTED + 1) : [];
      if (member && unread.length) {
        const total = unread.length > DIGEST_LISTED ? await d.notifications.unreadCount(setting.studioId, String(setting.userId)) : unread.length;
        const studio = await d.studios.findById(setting.studioId);
        await d.mailer.send(mails.digest(d.links, { to: member.email, name: member.name, studioName: studio?.name ?? 'your studio', frequency: setting.frequency, texts: unread.slice(0, DIGEST_LISTED).map((n) => n.text), total }));
        sent++;
      }
      await d.notifications.digestDone(setting._id, due, now, next);
    } catch (err) {
      // The claim stays, so this due time is not retried by another instance in a loop; the next period will be.
      d.logger.warn('notification digest failed', { err: (err as Error).message, setting: String(setting._id) });
      await d.notifications.digestDone(setting._id, due, since, next).catch(() => undefined);
    }
  }
  return sent;
}
