// The breakdown (casting) of a project: its shots in cut order on the left; the chosen shot's assets and
// how many of each on the right, which DIRECTORs and PRODUCERs edit (PUT /shots/{id}/casting replaces the list).
import { useCallback, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys, type CastItem } from '../api/keys';
import type { ApiError } from '../api/errors';
import { useSessionState } from '../auth/AuthContext';
import { Button, EmptyState, ErrorState, Select, Skeleton, TextField } from '../ui';
import { useGrid, useProductionLive, useProject } from './data';
import { canAssign, gridRows } from './model';
import { ProjectTabs } from './ProjectPage';
import s from './production.module.css';


export function BreakdownPage() {
  const { projectId = '' } = useParams();
  useProductionLive();
  const state = useSessionState();
  const mayEdit = state.status === 'signed-in' && canAssign(state.user);
  const project = useProject(projectId);
  const grid = useGrid(projectId, 'SHOT');
  const rows = useMemo(() => gridRows(grid.data?.pages ?? []), [grid.data?.pages]);
  const [shotId, setShotId] = useState<string | null>(null);
  const current = shotId ?? rows[0]?.id ?? null;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = grid;
  const more = useCallback(() => { if (hasNextPage && !isFetchingNextPage) void fetchNextPage(); }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (project.error) {
    const err = project.error as ApiError;
    return err.status === 404 ? <EmptyState title="Project not found">It does not exist or belongs to another studio. <Link to="/projects">All projects</Link></EmptyState> : <div className={s.detail}><ErrorState error={err} /></div>;
  }
  return (
    <div className={s.page}>
      <div className={s.toolbar}><h1>{project.data ? `${project.data.name} · breakdown` : <Skeleton width="200px" />}</h1></div>
      <ProjectTabs projectId={projectId} />
      {grid.isPending ? <div className={s.detail} aria-busy="true"><Skeleton width="40%" /></div>
        : !rows.length ? <EmptyState title="No shots yet">Import a cut first; then cast assets into its shots here.</EmptyState>
        : (
          <div className={s.split}>
            <div>
              <ul className={s.list} aria-label="Shots" style={{ gap: 0 }}>
                {rows.map((r) => (
                  <li key={r.id}><button type="button" className={s.pick} aria-pressed={r.id === current} onClick={() => setShotId(r.id)}><span className="tabular">{r.code}</span><span className={s.muted}>{r.label}</span></button></li>
                ))}
              </ul>
              {hasNextPage && <div className={s.detail}><Button onClick={more} disabled={isFetchingNextPage}>Load more shots</Button></div>}
            </div>
            {current && <Casting key={current} projectId={projectId} shotId={current} code={rows.find((r) => r.id === current)?.code ?? ''} mayEdit={mayEdit} />}
          </div>
        )}
    </div>
  );
}

function Casting({ projectId, shotId, code, mayEdit }: { projectId: string; shotId: string; code: string; mayEdit: boolean }) {
  const client = useQueryClient();
  const casting = useQuery({ queryKey: keys.casting.list(shotId), queryFn: async () => unwrap(await api.GET('/shots/{id}/casting', { params: { path: { id: shotId } } })).data });
  const assets = useQuery({
    queryKey: keys.assets.list({ projectId }), enabled: mayEdit,
    queryFn: async () => unwrap(await api.GET('/assets', { params: { query: { projectId, limit: 100 } } })).data,
  });
  const save = useMutation({
    mutationFn: async (items: Array<{ assetId: string; count: number }>) => unwrap(await api.PUT('/shots/{id}/casting', { params: { path: { id: shotId } }, body: { items } })),
    // The answer has ids and counts only: the names come with a fresh read.
    onSuccess: () => client.invalidateQueries({ queryKey: keys.casting.list(shotId) }),
  });
  const [add, setAdd] = useState('');
  const [count, setCount] = useState('1');
  const items = casting.data ?? [];
  const put = (next: Array<Pick<CastItem, 'assetId' | 'count'>>) => save.mutate(next.map(({ assetId, count: c }) => ({ assetId, count: c })));
  const candidates = (assets.data ?? []).filter((a) => !items.some((i) => i.assetId === a.id));
  const chosen = add || candidates[0]?.id || '';
  const total = items.reduce((n, i) => n + i.count, 0);

  return (
    <section className={s.detail} aria-labelledby="cast-h">
      <h2 id="cast-h">Cast of {code} <span className={s.muted}>· {items.length} assets, {total} in all</span></h2>
      {casting.isPending ? <Skeleton width="50%" /> : casting.error ? <ErrorState error={casting.error as ApiError} onRetry={() => void casting.refetch()} />
        : !items.length ? <p className={s.muted}>No assets cast in this shot yet.</p>
        : (
          <table className={s.table} aria-label={`Cast of ${code}`}>
            <thead><tr><th scope="col">Asset</th><th scope="col">Type</th><th scope="col">Count</th>{mayEdit && <th scope="col"><span className="visually-hidden">Actions</span></th>}</tr></thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.assetId}>
                  <td><Link to={`/assets/${i.assetId}`}>{i.assetName}</Link></td>
                  <td>{i.assetType.toLowerCase()}</td>
                  <td className="tabular">{i.count}</td>
                  {mayEdit && <td><Button variant="ghost" aria-label={`Remove ${i.assetName} from ${code}`} onClick={() => put(items.filter((x) => x.assetId !== i.assetId))} disabled={save.isPending}>Remove</Button></td>}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      {mayEdit && (
        candidates.length ? (
          <form className={s.row} onSubmit={(e) => { e.preventDefault(); const a = candidates.find((x) => x.id === chosen); if (a) put([...items, { assetId: a.id, count: Math.max(1, Number(count) || 1) }]); }}>
            <Select label="Asset" value={chosen} onChange={(e) => setAdd(e.target.value)} options={candidates.map((a) => ({ value: a.id, label: a.name }))} />
            <TextField label="How many" type="number" min={1} max={1000} value={count} onChange={(e) => setCount(e.target.value)} style={{ width: 90 }} />
            <Button type="submit" variant="primary" disabled={save.isPending}>Add to {code}</Button>
          </form>
        ) : assets.isPending ? null : <p className={s.muted}>Every asset of the project is cast in this shot, or the project has none.</p>
      )}
      {save.error && <ErrorState error={save.error as ApiError} />}
    </section>
  );
}
