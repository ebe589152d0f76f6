// SMPTE non-drop-frame timecode (HH:MM:SS:FF) and frame numbers, converted both ways on an integer timebase.

/** The integer frame rate timecode counts in (23.976 counts as 24, 29.97 as 30). */
export const timebase = (fps: number) => Math.round(fps);

export function frameToTimecode(frame: number, fps: number): string {
  const base = timebase(fps);
  const ff = frame % base;
  const totalSeconds = Math.floor(frame / base);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}:${pad(ff)}`;
}

/** Null for a malformed timecode or one whose frame field does not fit the rate. */
export function timecodeToFrame(tc: string, fps: number): number | null {
  const m = /^(\d{2}):(\d{2}):(\d{2})[:;](\d{2})$/.exec(tc);
  if (!m) return null;
  const [h, min, s, f] = m.slice(1).map(Number) as [number, number, number, number];
  const base = timebase(fps);
  if (min > 59 || s > 59 || f >= base) return null;
  return ((h * 60 + min) * 60 + s) * base + f;
}
