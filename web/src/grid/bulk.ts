// The grid's bulk edit: which tasks a change to "the selected shots' Animation" names (with the revision the
// grid shows, so a task changed meanwhile is refused, not overwritten), in requests of at most the API's
// limit, and what happened, in words.
import type { components } from '../api/schema';

type BulkResult = components['schemas']['TaskBulkResult'];
export interface BulkRow { id: string; code: string; tasks: Record<string, { id: string; revision: number }> }
export interface BulkPlan { tasks: Array<{ id: string; revision: number }>; codeOf: Map<string, string>; without: string[] }

/** The tasks of one type on the selected rows; the rows with no task of that type are listed apart. */
export function planBulk(rows: readonly BulkRow[], taskTypeId: string): BulkPlan {
  const tasks: BulkPlan['tasks'] = [];
  const codeOf = new Map<string, string>();
  const without: string[] = [];
  for (const r of rows) {
    const t = r.tasks[taskTypeId];
    if (!t) { without.push(r.code); continue; }
    tasks.push({ id: t.id, revision: t.revision });
    codeOf.set(t.id, r.code);
  }
  return { tasks, codeOf, without };
}

/** Splits a list into requests of at most `limit`. */
export function chunk<T>(items: readonly T[], limit: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, limit)) out.push(items.slice(i, i + Math.max(1, limit)));
  return out;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const list = (codes: string[]) => (codes.length <= 5 ? codes.join(', ') : `${codes.slice(0, 5).join(', ')} and ${codes.length - 5} more`);

export interface BulkSummary { text: string; changedMeanwhile: number; ok: boolean }

/**
 * "12 Animation tasks set to In progress; 2 changed by someone else meanwhile — reload them; 1 refused
 * (You may only move tasks assigned to you): SH030; 3 selected shots have no Animation task".
 */
export function summarise(results: BulkResult['results'], plan: BulkPlan, what: { typeName: string; change: string; noun: string }): BulkSummary {
  const done = results.filter((r) => r.ok).length;
  const changed = results.filter((r) => !r.ok && r.error?.code === 'TASK_CHANGED');
  const refused = new Map<string, string[]>();
  for (const r of results) {
    if (r.ok || r.error?.code === 'TASK_CHANGED') continue;
    const why = r.error?.message ?? 'refused';
    refused.set(why, [...(refused.get(why) ?? []), plan.codeOf.get(r.id) ?? 'a task']);
  }
  const parts = [done ? `${plural(done, `${what.typeName} task`)} ${what.change}` : `No ${what.typeName} task ${what.change}`];
  if (changed.length) parts.push(`${changed.length} changed by someone else meanwhile, so left as they were (${list(changed.map((r) => plan.codeOf.get(r.id) ?? 'a task'))}): the grid now shows ${changed.length === 1 ? 'it' : 'them'} as ${changed.length === 1 ? 'it is' : 'they are'}; apply again to change ${changed.length === 1 ? 'it' : 'them'}`);
  for (const [why, codes] of refused) parts.push(`${codes.length} not changed: ${why.replace(/\.$/, '')} (${list(codes)})`);
  if (plan.without.length) parts.push(`${plural(plan.without.length, `selected ${what.noun}`)} ${plan.without.length === 1 ? 'has' : 'have'} no ${what.typeName} task (${list(plan.without)})`);
  return { text: parts.join('; ') + '.', changedMeanwhile: changed.length, ok: done === results.length && !plan.without.length };
}
