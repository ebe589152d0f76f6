// Small output helpers: sizes, rates, durations, and a progress bar that degrades to log lines off a TTY.
import cliProgress from 'cli-progress';

export const MiB = 1024 * 1024;
export const mib = (bytes: number) => (bytes / MiB).toFixed(1);

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "4M", "512k", "1.5MiB" or plain bytes, per second. */
export function parseRate(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(value.trim());
  if (!m) throw new Error(`not a rate: ${value} (e.g. 512k, 4M)`);
  const unit = { '': 1, k: 1024, m: MiB, g: 1024 * MiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * unit);
}

/** A transfer bar: percentage, MiB done/total, MiB/s over this run, ETA. Off a TTY it prints a line every half second. */
export function transferBar(label: string, enabled: boolean) {
  if (!enabled) return { update: (_done: number, _total: number) => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {done}/{all} MiB | {speed} MiB/s | ETA {left}`,
      hideCursor: process.stderr.isTTY === true,
      noTTYOutput: true,
      notTTYSchedule: 500,
    },
    cliProgress.Presets.shades_classic,
  );
  let started: { at: number; from: number } | undefined;
  return {
    update(done: number, total: number) {
      const now = Date.now();
      if (!started) {
        started = { at: now, from: done };
        bar.start(total, done, { done: mib(done), all: mib(total), speed: '0.0', left: '?' });
        return;
      }
      const seconds = (now - started.at) / 1000;
      const rate = seconds > 0 ? (done - started.from) / seconds : 0;
      bar.update(done, { done: mib(done), all: mib(total), speed: mib(rate), left: rate > 0 ? duration((total - done) / rate) : '?' });
    },
    stop: () => bar.stop(),
  };
}
