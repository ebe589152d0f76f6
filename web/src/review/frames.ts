// Frame maths of the player: frames are integers end to end, fps is a rational (24000/1001, never 23.976),
// SMPTE timecode is drop-frame at 29.97 and 59.94 (`;` before the frames), non-drop elsewhere.

/** A frame rate as the container stores it: num/den frames per second (24000/1001, 25/1, 30000/1001). */
export interface Rate {
  num: number;
  den: number;
}

export const RATES = {
  '23.976': { num: 24000, den: 1001 },
  '24': { num: 24, den: 1 },
  '25': { num: 25, den: 1 },
  '29.97': { num: 30000, den: 1001 },
  '30': { num: 30, den: 1 },
  '50': { num: 50, den: 1 },
  '59.94': { num: 60000, den: 1001 },
  '60': { num: 60, den: 1 },
} as const satisfies Record<string, Rate>;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** "24000/1001" or "25" → a reduced rate; null for anything that is not a positive rational. */
export function parseRate(text: string): Rate | null {
  const m = /^\s*(\d+)(?:\s*\/\s*(\d+))?\s*$/.exec(text);
  if (!m) return null;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den) || num <= 0 || den <= 0) return null;
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** How a person names the rate: 23.976, 25, 29.97. */
export function rateLabel(rate: Rate): string {
  const fps = rate.num / rate.den;
  return Number.isInteger(fps) ? String(fps) : String(Math.floor(fps * 1000) / 1000);
}

/** The time a frame starts at, in seconds (its presentation timestamp in a constant-rate file). */
export function frameStart(frame: number, rate: Rate): number {
  return (frame * rate.den) / rate.num;
}

/**
 * Where to seek to show a frame: its centre, half a frame after its start, so no float rounding of the
 * start (1001/24000 is not exact in binary) can land on the previous frame.
 */
export function seekTime(frame: number, rate: Rate): number {
  return ((frame + 0.5) * rate.den) / rate.num;
}

/** The frame showing at an arbitrary time (playback position): the last frame that started by then. */
export function timeToFrame(seconds: number, rate: Rate): number {
  // A thousandth of a frame of slack: a time computed as frame*den/num, or rounded to microseconds as the
  // browser reports it, may come out a hair below the exact start.
  return Math.max(0, Math.floor((seconds * rate.num) / rate.den + 1e-3));
}

/**
 * The frame of a presented frame's own timestamp (requestVideoFrameCallback's metadata.mediaTime), which
 * is the frame's start rounded to microseconds: the nearest frame start.
 */
export function mediaTimeToFrame(mediaTime: number, rate: Rate): number {
  return Math.max(0, Math.round((mediaTime * rate.num) / rate.den));
}

/** A frame number kept inside [0, count-1]; count 0 or unknown leaves only the lower bound. */
export function clampFrame(frame: number, count: number | null | undefined): number {
  const f = Math.max(0, Math.trunc(frame));
  return count && count > 0 ? Math.min(f, count - 1) : f;
}

/** The integer rate timecode counts in: 24 for 23.976, 30 for 29.97, 60 for 59.94. */
export function timebase(rate: Rate): number {
  return Math.round(rate.num / rate.den);
}

/** Drop-frame applies to the NTSC rates 30000/1001 and 60000/1001 only (there is no drop-frame 23.976). */
export function isDropFrame(rate: Rate): boolean {
  const base = timebase(rate);
  return rate.den === 1001 && (base === 30 || base === 60);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * SMPTE timecode of a frame. Drop-frame skips frame labels 00 and 01 (00–03 at 59.94) at the start of every
 * minute except each tenth, so the label keeps up with the wall clock: 00:00:59;29 is followed by 00:01:00;02.
 */
export function frameToTimecode(frame: number, rate: Rate): string {
  const base = timebase(rate);
  let n = Math.max(0, Math.trunc(frame));
  const drop = isDropFrame(rate);
  if (drop) {
    const dropped = base / 15; // 2 at 29.97, 4 at 59.94
    const perMinute = base * 60 - dropped;
    const perTenMinutes = base * 600 - dropped * 9;
    const tens = Math.floor(n / perTenMinutes);
    const rest = n % perTenMinutes;
    n += dropped * 9 * tens + (rest > dropped ? dropped * Math.floor((rest - dropped) / perMinute) : 0);
  }
  const ff = n % base;
  const seconds = Math.floor(n / base);
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}${drop ? ';' : ':'}${pad(ff)}`;
}

/** The frame of a timecode at a rate; null for a malformed one, or a label drop-frame skips. */
export function timecodeToFrame(tc: string, rate: Rate): number | null {
  const m = /^(\d{2,}):(\d{2}):(\d{2})([:;.,])(\d{2})$/.exec(tc.trim());
  if (!m) return null;
  const [h, min, s, f] = [m[1], m[2], m[3], m[5]].map(Number) as [number, number, number, number];
  const base = timebase(rate);
  if (min > 59 || s > 59 || f >= base) return null;
  const nominal = ((h * 60 + min) * 60 + s) * base + f;
  if (!isDropFrame(rate)) return nominal;
  const dropped = base / 15;
  if (s === 0 && f < dropped && min % 10 !== 0) return null;
  const minutes = h * 60 + min;
  return nominal - dropped * (minutes - Math.floor(minutes / 10));
}

/** "0012" style frame label, at least four digits, tabular in the UI. */
export function frameLabel(frame: number): string {
  return String(frame).padStart(4, '0');
}
