// One group of notifications (group.ts) as people read it: its line, when, how many unread; a group of many
// expands to its items, each a link to its subject. Shared by the bell's panel and the notifications page.
import { useState } from 'react';
import { Link } from 'react-router';
import { groupTitle, notificationHref, type NotificationGroup } from './group';
import { when } from './when';
import s from './inbox.module.css';

export function GroupItem({ group, actorName, onOpen, select }: {
  group: NotificationGroup;
  actorName: string;
  /** Called when one of its links is followed, with the notifications it stands for. */
  onOpen: (ids: string[]) => void;
  select?: { checked: boolean; onChange: (checked: boolean) => void };
}) {
  const [open, setOpen] = useState(false);
  const first = group.items[0]!;
  const title = groupTitle(group, actorName);
  const many = group.items.length > 1;
  const unreadIds = group.items.filter((n) => !n.read).map((n) => n.id);
  const href = notificationHref(first);
  const line = (
    <>
      {group.unread > 0 && <span className="visually-hidden">Unread: </span>}
      <span className={s.text}>{title}</span>
      <time className={s.when} dateTime={first.createdAt}>{when(first.createdAt)}</time>
    </>
  );
  return (
    <li className={[s.group, group.unread ? s.unread : ''].join(' ')} data-testid="notification-group">
      <div className={s.groupRow}>
        {select && <input type="checkbox" className={s.check} aria-label={`Select: ${title}`} checked={select.checked} onChange={(e) => select.onChange(e.target.checked)} />}
        {many ? (
          <button type="button" className={s.line} aria-expanded={open} onClick={() => setOpen(!open)}>{line}<span className={s.more} aria-hidden="true">{open ? '▾' : '▸'}</span></button>
        ) : href ? (
          <Link className={s.line} to={href} onClick={() => onOpen(unreadIds)}>{line}</Link>
        ) : <span className={s.line}>{line}</span>}
      </div>
      {many && open && (
        <ul className={s.items} aria-label={title}>
          {group.items.map((n) => {
            const to = notificationHref(n);
            const body = <>{n.read ? '' : <span className="visually-hidden">Unread: </span>}{n.text}</>;
            return <li key={n.id} className={n.read ? '' : s.unread}>{to ? <Link to={to} onClick={() => onOpen(n.read ? [] : [n.id])}>{body}</Link> : body}</li>;
          })}
        </ul>
      )}
    </li>
  );
}
