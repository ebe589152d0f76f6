// Transfer rate and time left of an upload, from a sliding window of (time, bytes) samples.
export const MiB = 1024 * 1024;

export class RateMeter {
  private samples: Array<{ t: number; bytes: number }> = [];
  constructor(private readonly windowMs = 4000) {}

  /** Records that `bytes` in total had been sent at time `t` (ms). */
  add(t: number, bytes: number): void {
    const last = this.samples.at(-1);
    // Bytes going back (a resumed upload re-reads its offset) start a new measurement.
    if (last && bytes < last.bytes) this.samples = [];
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && this.samples[0]!.t < t - this.windowMs) this.samples.shift();
  }

  /** Forget everything (after a pause: the time offline is not part of the rate). */
  reset(): void { this.samples = []; }

  /** Bytes per second over the window; null until two samples at least 200 ms apart. */
  rate(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.t - first.t < 200) return null;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds left for `total` bytes at the current rate; null when unknown, 0 when done. */
  eta(total: number): number | null {
    const last = this.samples.at(-1);
    if (last && last.bytes >= total) return 0;
    const r = this.rate();
    if (!r || r <= 0 || !last) return null;
    return (total - last.bytes) / r;
  }
}

export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null) return '– MiB/s';
  const mib = bytesPerSecond / MiB;
  return `${mib >= 100 ? mib.toFixed(0) : mib >= 10 ? mib.toFixed(1) : mib.toFixed(2)} MiB/s`;
}

/** "12 s left", "3 min 05 s left", "1 h 02 min left"; an unknown ETA says so. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'time left unknown';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s left`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min left`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MiB) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * MiB) return `${(n / MiB).toFixed(1)} MiB`;
  return `${(n / 1024 / MiB).toFixed(2)} GiB`;
}
