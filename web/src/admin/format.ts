// Words for the admin pages' numbers and times: sizes as people say them ("412 GiB of 1 TiB"), times in the
// browser's locale.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * A size in the largest binary unit it reaches, with up to three significant digits and no trailing zeros
 * (the server's quota message counts in the same units): 0 bytes, 1 byte, 980 bytes, 1.5 KiB, 412 GiB, 1 TiB.
 */
export function bytesInWords(n: number): string {
  if (!Number.isFinite(n) || n < 0) return 'an unknown size';
  if (n < 1024) return n === 1 ? '1 byte' : `${Math.round(n)} bytes`;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  // Rounding up to 1024 of a unit reads better as 1 of the next one (1023.99 MiB is "1 GiB").
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  let shown = Number(v.toFixed(digits));
  if (shown >= 1024 && i < UNITS.length - 1) {
    shown = 1;
    i++;
  }
  return `${shown.toLocaleString('en', { maximumFractionDigits: digits })} ${UNITS[i]}`;
}

/** "412 GiB of 1 TiB", or just the use when there is no quota. */
export const usedOf = (used: number, quota: number | null) => (quota === null ? bytesInWords(used) : `${bytesInWords(used)} of ${bytesInWords(quota)}`);

/** Share of a whole as a percentage for a bar, 0 … 100 (a whole of 0 is 0). */
export const share = (part: number, whole: number) => (whole > 0 ? Math.min(100, (part / whole) * 100) : 0);

export const dateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
export const date = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** A duration of a request: "84 ms", "1.2 s". */
export const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);
