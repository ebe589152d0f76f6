// SMPTE timecode (HH:MM:SS:FF) and frame numbers, converted both ways on an integer timebase: non-drop at
// most rates, drop-frame (HH:MM:SS;FF) at the NTSC rates 29.97 and 59.94, as the web app's player shows it.

/** The integer frame rate timecode counts in (23.976 counts as 24, 29.97 as 30). */
export const timebase = (fps: number) => Math.round(fps);

/**
 * Drop-frame applies at 30000/1001 and 60000/1001 (a float within a thousandth of either; comments carry
 * fps as a number). There is no drop-frame 23.976.
 */
export function isDropFrame(fps: number): boolean {
  return Math.abs(fps - 30000 / 1001) < 0.001 || Math.abs(fps - 60000 / 1001) < 0.001;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Drop-frame skips labels 00 and 01 (00–03 at 59.94) at the start of every minute except each tenth, so
 * the label keeps up with the wall clock: 00:00:59;29 is followed by 00:01:00;02.
 */
export function frameToTimecode(frame: number, fps: number): string {
  const base = timebase(fps);
  const drop = isDropFrame(fps);
  let n = frame;
  if (drop) {
    const dropped = base / 15;
    const perMinute = base * 60 - dropped;
    const perTenMinutes = base * 600 - dropped * 9;
    const rest = n % perTenMinutes;
    n += dropped * 9 * Math.floor(n / perTenMinutes) + (rest > dropped ? dropped * Math.floor((rest - dropped) / perMinute) : 0);
  }
  const ff = n % base;
  const totalSeconds = Math.floor(n / base);
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}${drop ? ';' : ':'}${pad(ff)}`;
}

/** Null for a malformed timecode, one whose frame field does not fit the rate, or a label drop-frame skips. */
export function timecodeToFrame(tc: string, fps: number): number | null {
  const m = /^(\d{2}):(\d{2}):(\d{2})[:;](\d{2})$/.exec(tc);
  if (!m) return null;
  const [h, min, s, f] = m.slice(1).map(Number) as [number, number, number, number];
  const base = timebase(fps);
  if (min > 59 || s > 59 || f >= base) return null;
  const nominal = ((h * 60 + min) * 60 + s) * base + f;
  if (!isDropFrame(fps)) return nominal;
  const dropped = base / 15;
  if (s === 0 && f < dropped && min % 10 !== 0) return null;
  const minutes = h * 60 + min;
  return nominal - dropped * (minutes - Math.floor(minutes / 10));
}
