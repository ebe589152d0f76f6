// The transport's timeline: a frame slider with one marker per note on this version.
import type { Comment } from './data';
import { frameLabel, frameToTimecode, type Rate } from './frames';
import s from './review.module.css';

export function Timeline({ frame, count, rate, notes, onSeek }: { frame: number; count: number; rate: Rate; notes: Comment[]; onSeek: (frame: number) => void }) {
  const last = Math.max(0, count - 1);
  const pct = (f: number) => (last === 0 ? 0 : (f / last) * 100);
  return (
    <div className={s.timeline}>
      <input
        type="range"
        className={s.scrubber}
        min={0}
        max={last}
        step={1}
        value={Math.min(frame, last)}
        aria-label="Frame"
        aria-valuetext={`frame ${frame}, ${frameToTimecode(frame, rate)}`}
        onChange={(e) => onSeek(Number(e.target.value))}
        // The player's own keys (←/→, Shift for ten) step frames; the slider must not move too.
        onKeyDown={(e) => { if (e.key.startsWith('Arrow')) e.preventDefault(); }}
      />
      <div className={s.markers}>
        {notes.filter((n) => n.frame !== null).map((n) => (
          <button
            key={n.id}
            type="button"
            className={[s.marker, n.frame === frame ? s.markerHere : ''].join(' ')}
            style={{ left: `${pct(n.frame!)}%` }}
            aria-label={`Note at frame ${n.frame}: ${n.body.slice(0, 60)}`}
            title={`frame ${frameLabel(n.frame!)} · ${n.body.slice(0, 60)}`}
            onClick={() => onSeek(n.frame!)}
          />
        ))}
      </div>
    </div>
  );
}
