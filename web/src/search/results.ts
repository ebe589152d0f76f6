// GET /search's answer as the search box shows it: groups by kind, each hit with its words and where it opens.
import type { components, paths } from '../api/schema';

type S = components['schemas'];
export type SearchAnswer = paths['/search']['get']['responses'][200]['content']['application/json'];
export interface SearchHit { key: string; label: string; detail?: string; to: string }
export interface SearchGroup { kind: 'assets' | 'shots' | 'tasks' | 'projects'; title: string; hits: SearchHit[] }

const assetHit = (a: S['Asset']): SearchHit => ({ key: `asset:${a.id}`, label: a.name, detail: a.type.toLowerCase(), to: `/assets/${a.id}` });
const projectHit = (p: S['Project']): SearchHit => ({ key: `project:${p.id}`, label: p.name, detail: p.code, to: `/projects/${p.id}` });
const taskHit = (t: S['Task']): SearchHit => ({ key: `task:${t.id}`, label: t.name, detail: t.status, to: `/tasks/${t.id}` });
/** A shot opens on the asset that carries its versions (the shot's page); one without it yet, on its project's grid. */
const shotHit = (sh: S['Shot']): SearchHit => ({ key: `shot:${sh.id}`, label: sh.code, detail: `frames ${sh.frameIn}–${sh.frameOut}`, to: sh.assetId ? `/assets/${sh.assetId}` : `/projects/${sh.projectId}` });

/** The non-empty groups, in the order people look for things: assets, shots, tasks, projects. */
export function groupsOf(r: SearchAnswer): SearchGroup[] {
  const all: SearchGroup[] = [
    { kind: 'assets', title: 'Assets', hits: r.assets.map(assetHit) },
    { kind: 'shots', title: 'Shots', hits: r.shots.map(shotHit) },
    { kind: 'tasks', title: 'Tasks', hits: r.tasks.map(taskHit) },
    { kind: 'projects', title: 'Projects', hits: r.projects.map(projectHit) },
  ];
  return all.filter((g) => g.hits.length > 0);
}

/** Every hit in the order the arrows walk them. */
export const flatten = (groups: SearchGroup[]): SearchHit[] => groups.flatMap((g) => g.hits);
