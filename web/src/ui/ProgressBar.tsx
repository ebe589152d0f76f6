// UI.md's ProgressBar: a labelled bar (role=progressbar) with a line of text under it (MiB/s, time left…).
import s from './progress.module.css';

export function ProgressBar({ label, value, text, tone = 'progress' }: { label: string; value: number; text?: string; tone?: 'progress' | 'approved' | 'failed' | 'waiting' }) {
  const pct = Math.max(0, Math.min(100, value));
  return (
    <div className={s.wrap}>
      <div className={s.track} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(pct)} aria-valuetext={text ? `${Math.floor(pct)}% · ${text}` : `${Math.floor(pct)}%`}>
        <div className={`${s.fill} ${s[tone]}`} style={{ width: `${pct}%` }} />
      </div>
      {text && <div className={`${s.text} tabular`}>{text}</div>}
    </div>
  );
}
