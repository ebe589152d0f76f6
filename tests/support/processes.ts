// This test process's own process tree, read from /proc. A check that a process the test started is gone
// (a Blender render killed on cancel) must never look at the machine's other processes: other test files,
// other Jest workers and people run Blender too.
//
// What the tree looks like (checked with a render started through runProcess): Blender's parent is the
// Node process that spawned it (the worker runs in the test's process); `detached: true` gives it its own
// session and process group, which changes its pgid and sid, not its ppid; it starts no processes of its own.
import { readdirSync, readFileSync } from 'node:fs';

export interface OwnProcess {
  pid: number;
  ppid: number;
  /** The one-letter state of /proc/<pid>/stat: R, S, D, T, Z (a zombie: dead, not yet reaped) ... */
  state: string;
  argv: string[];
}

function read(pid: number): OwnProcess | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (in parentheses) may hold spaces and parentheses; the fields after the last ')' do not.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.at(-1) === '') argv.pop();
    return { pid, ppid: Number(ppid), state: state!, argv };
  } catch {
    return undefined; // ended between the directory listing and the read
  }
}

/**
 * The live processes descending from `root` (this process by default), by parent-PID chains. Zombies are
 * left out: they have exited, and only wait for their parent (here Node) to collect their status.
 */
export function descendants(root = process.pid): OwnProcess[] {
  const children = new Map<number, OwnProcess[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = read(Number(entry));
    if (p) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  }
  const found: OwnProcess[] = [];
  const parents = [root];
  while (parents.length) {
    for (const child of children.get(parents.pop()!) ?? []) {
      found.push(child);
      parents.push(child.pid);
    }
  }
  return found.filter((p) => p.state !== 'Z');
}

/** Blender renders (`blender -b -Y ...`, as BlenderEngine starts them) this test process started. */
export function ownBlenderRenders(root = process.pid): OwnProcess[] {
  return descendants(root).filter((p) => /(^|\/)blender$/.test(p.argv[0] ?? '') && p.argv[1] === '-b' && p.argv[2] === '-Y');
}
