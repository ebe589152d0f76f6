// The embedded FerretDB twice on one PostgreSQL cluster: as the project runs it (the whole query pushed down
// where scripts/ferretdb-pushdown.patch can write it exactly) and as the reference, the same build started
// with --test-disable-pushdown, so every filter, sort and limit is applied by FerretDB's own Go code. The
// pushdown tests compare the two answers and read PostgreSQL's plans through FerretDB's explain.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFerretDb, type RunningService } from '../../src/infra/embedded/embedded';

export interface PushdownPair {
  /** MongoDB-wire URL of the FerretDB under test (pushdown on). */
  url: string;
  /** MongoDB-wire URL of the reference (pushdown off); started by startReference(). */
  referenceUrl(): string;
  /**
   * Starts the reference. FerretDB reads a database's collection list once, when it first serves it, so
   * start it after the collections the test compares exist (documents may be added later).
   */
  startReference(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPushdownPair(): Promise<PushdownPair> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'studio-pushdown-'));
  // FerretDB on PostgreSQL by name, even where mongod is on PATH; where either is missing this throws saying why.
  const main: RunningService = await startFerretDb({ dataDir: dir, detached: false, persistent: false });
  let reference: RunningService | undefined;
  return {
    url: main.url,
    referenceUrl: () => {
      if (!reference) throw new Error('startReference() first');
      return reference.url;
    },
    async startReference() {
      reference = await startFerretDb({ dataDir: path.join(dir, 'reference'), detached: false, persistent: false, backendUrl: main.backend!.url, extraArgs: ['--test-disable-pushdown'] });
      return reference.url;
    },
    async stop() {
      await reference?.stop();
      await main.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  'Relation Name'?: string;
  Plans?: PlanNode[];
  Plan?: PlanNode;
}

export interface Explained {
  exactPushdown?: boolean;
  filterPushdown?: boolean;
  sortPushdown?: boolean;
  limitPushdown?: boolean;
  queryPlanner?: unknown;
}

/** Every node of a PostgreSQL plan, depth first. */
export function planNodes(explained: Explained): PlanNode[] {
  const out: PlanNode[] = [];
  const walk = (n: PlanNode | undefined) => {
    if (!n || typeof n !== 'object') return;
    out.push(n);
    walk(n.Plan);
    for (const c of n.Plans ?? []) walk(c);
  };
  const root = explained.queryPlanner as PlanNode | PlanNode[] | undefined;
  for (const r of Array.isArray(root) ? root : [root]) walk(r);
  return out.filter((n) => n['Node Type']);
}

/** The nodes of the subtree under a node, itself included. */
const subtree = (n: PlanNode): PlanNode[] => [n, ...(n.Plan ? subtree(n.Plan) : []), ...(n.Plans ?? []).flatMap(subtree)];

const orderKeyIndex = (n: PlanNode) => Boolean(n['Index Name']?.endsWith('_pd'));

/**
 * What a test asserts about the plan of a pushed-down list query: FerretDB sent the whole query, PostgreSQL
 * reads it through one of the patch's order-key indexes (`…_pd`) under a Limit node (the limit applied in
 * SQL, so the scan stops after a page), never scans the table, and sorts in memory at most a page-sized set
 * of rows, except where the test allows more (the matches of a name prefix or a tag, as on MongoDB for the
 * prefix ordered by date).
 */
export function planSummary(explained: Explained): { exact: boolean; indexes: string[]; limitOverIndex: boolean; seqScan: boolean; sort: boolean; sortedRows: number } {
  const nodes = planNodes(explained);
  const sorts = nodes.filter((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Incremental Sort');
  return {
    exact: explained.exactPushdown === true,
    indexes: [...new Set(nodes.filter(orderKeyIndex).map((n) => n['Index Name']!))],
    limitOverIndex: nodes.some((n) => n['Node Type'] === 'Limit' && subtree(n).some(orderKeyIndex)),
    seqScan: nodes.some((n) => n['Node Type'] === 'Seq Scan'),
    sort: sorts.length > 0,
    // The most rows PostgreSQL expects to sort in memory (0 without a sort): a page-sized set is sorted in
    // constant time; a tenant-sized one would make the page cost grow with the studio.
    sortedRows: Math.max(0, ...sorts.map((n) => Math.max(...(n.Plans ?? []).map((c) => c['Plan Rows'] ?? Infinity)))),
  };
}
