// The sign-in page's word on why the app sent the person there: the reason the API gave for ending the session.
import type { SessionEnded } from '../auth/session';
import s from './studios.module.css';

const TITLES: Record<string, string> = {
  expired: 'Your session expired',
  'signed-out': 'You were signed out',
  'signed-out-everywhere': 'You were signed out everywhere',
  'password-changed': 'Your password was changed',
  'password-reset': 'Your password was reset',
  'role-changed': 'Your role changed',
  deactivated: 'You were removed from the studio',
  reused: 'You were signed out to keep your account safe',
};

export function SessionEndedNotice({ ended }: { ended: SessionEnded }) {
  return (
    <div role="status" className={s.notice}>
      <strong>{TITLES[ended.reason] ?? 'Your session ended'}</strong>
      <span>{ended.message}</span>
    </div>
  );
}
