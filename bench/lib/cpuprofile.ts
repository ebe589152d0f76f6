// The API's longest synchronous tasks, from a V8 CPU profile of its main thread (node --cpu-prof): on a
// machine shared with other work, an event-loop delay or a slow /health answer also counts the time the
// process waited for a core; the profile tells what the API's own code held the loop for. A task is a run of
// samples under one entry of the event loop (the frame below the profile's root: an I/O callback, a timer, a
// setImmediate, a microtask queue), garbage collection included, ended by an idle sample or another entry;
// so work that yields with setImmediate counts slice by slice. Its CPU time is its samples times the
// sampling interval; two callbacks of one kind run back to back count as one (an overestimate).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round } from './harness';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Task {
  cpuMs: number;
  wallMs: number;
  /** The project's own functions it spent most samples in (with their callers), heaviest first, then the busiest leaf frames (garbage collection, the driver's BSON decoding, Node's own). */
  where: string[];
  leaves: string[];
}

export const PROFILE_INTERVAL_US = 250;

/** Node arguments that make the API write its main thread's profile into a fresh directory when it exits. */
export function profileArgs(): { args: string[]; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-cpuprofile-'));
  return { args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`], dir };
}

/**
 * The longest task within each window (process.hrtime.bigint() values of this machine's monotonic clock,
 * which V8's profile timestamps share), from the main thread's profile in dir (the largest file there).
 */
export function longestTasks(dir: string, windows: Array<{ start: bigint; end: bigint }>): Array<Task | null> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no CPU profile in ${dir}`);
  const main = files.map((f) => path.join(dir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0]!;
  const profile = JSON.parse(readFileSync(main, 'utf8')) as Profile;
  rmSync(dir, { recursive: true, force: true });
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const root = profile.nodes[0]!.id;
  /** The frame right below the root: which entry of the event loop a sample runs under. */
  const entryOf = (id: number): number => {
    let n = id;
    for (let p = parent.get(n); p !== undefined && p !== root; p = parent.get(n)) n = p;
    return n;
  };
  const carriesOn = new Set(profile.nodes.filter((n) => ['(garbage collector)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id));
  const own = (n: ProfileNode) => n.callFrame.url.includes('/src/');

  const runs: Array<{ start: number; end: number; entry: number; samples: number[] }> = [];
  let t = profile.startTime;
  let current: (typeof runs)[number] | undefined;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (idle.has(id)) {
      current = undefined;
      return;
    }
    const entry = carriesOn.has(id) ? (current?.entry ?? entryOf(id)) : entryOf(id);
    if (!current || current.entry !== entry) runs.push((current = { start: t, end: t, entry, samples: [] }));
    current.end = t;
    current.samples.push(id);
  });
  return windows.map(({ start, end }) => {
    const from = Number(start / 1000n);
    const to = Number(end / 1000n);
    const inside = runs.filter((r) => r.end >= from && r.start <= to);
    if (inside.length === 0) return null;
    const run = inside.reduce((a, b) => (b.samples.length > a.samples.length ? b : a));
    const counts = new Map<string, number>();
    for (const id of run.samples) {
      const seen = new Set<string>();
      for (let n = nodes.get(id); n; n = nodes.get(parent.get(n.id) ?? -1)) {
        if (!own(n)) continue;
        const name = `${n.callFrame.functionName || '(anonymous)'} (${path.basename(n.callFrame.url)})`;
        if (!seen.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
        seen.add(name);
      }
    }
    const leafCounts = new Map<string, number>();
    for (const id of run.samples) {
      const n = nodes.get(id)!;
      const name = `${n.callFrame.functionName || '(anonymous)'}${n.callFrame.url ? ` (${path.basename(n.callFrame.url)})` : ''}`;
      leafCounts.set(name, (leafCounts.get(name) ?? 0) + 1);
    }
    const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, n]) => `${name} ${Math.round((100 * n) / run.samples.length)}%`);
    return { cpuMs: round((run.samples.length * PROFILE_INTERVAL_US) / 1000, 1), wallMs: round((run.end - run.start) / 1000, 1), where: top(counts, 4), leaves: top(leafCounts, 3) };
  });
}

/** The task of most CPU among some windows' longest. */
export const heaviest = (tasks: Array<Task | null | undefined>): Task | null => tasks.reduce<Task | null>((a, b) => (b && (!a || b.cpuMs > a.cpuMs) ? b : a), null);
