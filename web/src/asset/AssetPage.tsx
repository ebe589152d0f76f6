// The asset page: what the asset is, its versions (pipeline state live from pipeline:update, who, when, change
// note, download, rollback for DIRECTOR/PRODUCER, a link to each version's review page, render for .blend
// versions), uploads, its renders and its audit history. Another studio's asset answers 404 and looks
// exactly like a missing one.
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { useAsset, useMemberNames } from '../api/queries';
import type { components } from '../api/schema';
import { useSessionState } from '../auth/AuthContext';
import { useAssetRoom, useSocketEvent } from '../realtime/SocketContext';
import { Badge, Button, Dialog, EmptyState, ErrorState, Skeleton, TextField } from '../ui';
import { NotInThisStudio } from '../studios/NotInThisStudio';
import { UploadPanel } from '../upload/UploadPanel';
import { formatBytes } from '../upload/rate';
import { downloadFile } from '../media/useBlobUrl';
import { SubmitRenderDialog } from '../renders/SubmitRenderDialog';
import { RenderJobsTable } from '../renders/RenderJobsTable';
import { PipelineBadge } from './PipelineBadge';
import { formValues, useSubmit } from '../pages/forms';
import a from './asset.module.css';

type Asset = components['schemas']['Asset'];
type Version = components['schemas']['AssetVersion'];
type AuditEvent = { id: string; action: string; actorId: string | null; at: string; details: Record<string, unknown> };

const notFound = (err: unknown) => err instanceof ApiError && (err.status === 404 || err.status === 400);
const when = (iso: string) => new Date(iso).toLocaleString();

export function AssetPage() {
  const { assetId = '' } = useParams();
  const client = useQueryClient();
  const state = useSessionState();
  const role = state.status === 'signed-in' ? state.user.role : 'ARTIST';
  const canRollback = role === 'DIRECTOR' || role === 'PRODUCER';
  const asset = useAsset(assetId);
  useAssetRoom(asset.isSuccess ? assetId : undefined);
  useSocketEvent<Asset>('asset:updated', (next) => {
    if (next.id !== assetId) return;
    client.setQueryData(keys.assets.detail(assetId), next);
    void client.invalidateQueries({ queryKey: keys.assetHistory.infinite(assetId) });
  });
  useSocketEvent<{ assetId: string }>('asset:version:created', (v) => { if (v.assetId === assetId) void client.invalidateQueries({ queryKey: keys.assetHistory.infinite(assetId) }); });
  const names = useMemberNames();

  if (asset.isPending) return <div className={a.page} aria-busy="true"><Skeleton width="30%" /><Skeleton width="50%" /><Skeleton width="80%" /><Skeleton width="80%" /></div>;
  if (notFound(asset.error)) {
    return <NotInThisStudio kind="asset" id={assetId}><EmptyState title="Asset not found"><p>It does not exist or is not in your studio.</p><Link to="/assets">Back to assets</Link></EmptyState></NotInThisStudio>;
  }
  if (asset.error) return <div className={a.page}><ErrorState error={asset.error} onRetry={() => void asset.refetch()} /></div>;
  const x = asset.data;
  return (
    <div className={a.page}>
      <nav aria-label="Breadcrumb"><Link to="/assets">← Assets</Link></nav>
      <header className={a.head}>
        <h1>{x.name}</h1>
        <Badge status={x.status} />
        <span className={a.muted}>{x.type.toLowerCase()}</span>
        <span className={`${a.muted} tabular`}>{x.currentVersion ? `current v${x.currentVersion}` : 'no version yet'}</span>
        {x.tags.length > 0 && <span className={a.tags}>{x.tags.map((t) => <Link key={t} to={`/assets?tag=${encodeURIComponent(t)}`} className={a.tag}>#{t}</Link>)}</span>}
      </header>
      {x.description && <p className={a.description}>{x.description}</p>}
      <UploadPanel assetId={x.id} disabled={Boolean(x.archivedAt)} />
      <Versions asset={x} canRollback={canRollback} names={names} />
      <section className={a.section} aria-labelledby="renders-h">
        <h2 id="renders-h">Renders</h2>
        <RenderJobsTable filters={{ assetId: x.id }} names={names} compact empty="No renders of this asset yet. Render a .blend version from the list above." />
      </section>
      <History assetId={x.id} names={names} />
    </div>
  );
}

function Versions({ asset, canRollback, names }: { asset: Asset; canRollback: boolean; names: (id: string | null) => string }) {
  const versions = useInfiniteQuery({
    queryKey: keys.versions.infinite(asset.id),
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/assets/{id}/versions', { params: { path: { id: asset.id }, query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
  });
  const [rollback, setRollback] = useState<Version | null>(null);
  const [render, setRender] = useState<Version | null>(null);
  const [downloadError, setDownloadError] = useState<Error | null>(null);
  const items = versions.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className={a.section} aria-labelledby="versions-h">
      <h2 id="versions-h">Versions</h2>
      {versions.isPending && <div aria-busy="true"><Skeleton /><Skeleton /><Skeleton /></div>}
      {versions.error && <ErrorState error={versions.error} onRetry={() => void versions.refetch()} />}
      {downloadError && <ErrorState error={downloadError} />}
      {versions.isSuccess && items.length === 0 && <EmptyState title="No versions yet">Upload the first one above: it becomes version 1.</EmptyState>}
      {items.length > 0 && (
        // A narrow window scrolls the table in its own region (WCAG 1.4.10 allows it for data tables), not the page.
        <div className={a.tableWrap} role="region" aria-labelledby="versions-h" tabIndex={0}>
        <table className={a.table}>
          <thead>
            <tr><th scope="col">Version</th><th scope="col">File</th><th scope="col">Pipeline</th><th scope="col">By</th><th scope="col">When</th><th scope="col">Change note</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {items.map((v) => (
              <tr key={v.id} className={v.version === asset.currentVersion ? a.current : undefined}>
                <td className="tabular">
                  <Link to={`/assets/${asset.id}/versions/${v.version}`}>v{v.version}</Link>
                  {v.version === asset.currentVersion && <span className={a.currentMark}>current</span>}
                </td>
                <td><span className={a.file} title={`sha256 ${v.file.sha256}`}>{v.file.originalName}</span><span className={`${a.muted} tabular`}> · {formatBytes(v.file.size)}</span></td>
                <td><PipelineBadge assetId={asset.id} version={v.version} /></td>
                <td>{names(v.createdBy)}</td>
                <td className="tabular">{when(v.createdAt)}</td>
                <td className={a.note}>{v.changeNote || <span className={a.muted}>—</span>}</td>
                <td className={a.actions}>
                  <Link to={`/assets/${asset.id}/versions/${v.version}`} className={a.linkButton} aria-label={`Review version ${v.version}`}>Review</Link>
                  <Button variant="ghost" aria-label={`Download version ${v.version}`} onClick={() => { setDownloadError(null); downloadFile(`/assets/${asset.id}/versions/${v.version}/download`, v.file.originalName).catch((e: Error) => setDownloadError(e)); }}>Download</Button>
                  {/\.blend$/i.test(v.file.originalName) && <Button variant="ghost" aria-label={`Render version ${v.version}`} onClick={() => setRender(v)}>Render</Button>}
                  {canRollback && v.version !== asset.currentVersion && <Button variant="ghost" aria-label={`Make current: version ${v.version}`} onClick={() => setRollback(v)}>Make current</Button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {versions.hasNextPage && <Button onClick={() => void versions.fetchNextPage()} disabled={versions.isFetchingNextPage}>{versions.isFetchingNextPage ? 'Loading…' : 'Older versions'}</Button>}
      <RollbackDialog asset={asset} version={rollback} onClose={() => setRollback(null)} />
      <SubmitRenderDialog assetId={asset.id} version={render} onClose={() => setRender(null)} />
    </section>
  );
}

function RollbackDialog({ asset, version, onClose }: { asset: Asset; version: Version | null; onClose: () => void }) {
  const client = useQueryClient();
  const { busy, error, fields, submit } = useSubmit(async (v: Record<string, string>) => {
    const next = unwrap(await api.PATCH('/assets/{id}/rollback', { params: { path: { id: asset.id } }, body: { version: version!.version, ...(v.reason ? { reason: v.reason } : {}) } }));
    client.setQueryData(keys.assets.detail(asset.id), next);
    void client.invalidateQueries({ queryKey: keys.assetHistory.infinite(asset.id) });
    onClose();
  });
  return (
    <Dialog open={version !== null} title={`Make v${version?.version ?? ''} the current version`} onClose={onClose}>
      <form className={a.form} noValidate onSubmit={(e) => { e.preventDefault(); void submit(formValues(e.currentTarget)); }}>
        <p className={a.muted}>The asset goes back from v{asset.currentVersion} to v{version?.version}. No version is deleted; the change is in the history.</p>
        {error && <ErrorState error={error} />}
        <TextField label="Reason (optional)" name="reason" maxLength={500} error={fields.reason} autoFocus />
        <div className={a.dialogActions}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>{busy ? 'Rolling back…' : `Make v${version?.version ?? ''} current`}</Button>
        </div>
      </form>
    </Dialog>
  );
}

function History({ assetId, names }: { assetId: string; names: (id: string | null) => string }) {
  const history = useInfiniteQuery({
    queryKey: keys.assetHistory.infinite(assetId),
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/assets/{id}/history', { params: { path: { id: assetId }, query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
  });
  const items = (history.data?.pages.flatMap((p) => p.data) ?? []) as AuditEvent[];
  return (
    <section className={a.section} aria-labelledby="history-h">
      <h2 id="history-h">History</h2>
      {history.isPending && <div aria-busy="true"><Skeleton /><Skeleton /></div>}
      {history.error && <ErrorState error={history.error} onRetry={() => void history.refetch()} />}
      {history.isSuccess && items.length === 0 && <EmptyState title="No history yet" />}
      <ol className={a.history}>
        {items.map((e) => (
          <li key={e.id}>
            <span className={`${a.muted} tabular`}>{when(e.at)}</span>
            <span><strong>{names(e.actorId)}</strong> {describe(e)}</span>
          </li>
        ))}
      </ol>
      {history.hasNextPage && <Button onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage}>Earlier events</Button>}
    </section>
  );
}

/** An audit event in words. */
export function describe(e: AuditEvent): string {
  const d = e.details;
  switch (e.action) {
    case 'asset.created': return 'created the asset';
    case 'version.created': return `uploaded v${String(d.version)}${typeof d.size === 'number' ? ` (${formatBytes(d.size)})` : ''}`;
    case 'asset.rolled_back': return `made v${String(d.to)} current again (was v${String(d.from)})${d.reason ? `: “${String(d.reason)}”` : ''}`;
    case 'asset.updated': return `changed ${Array.isArray(d.changes) ? d.changes.join(', ') : 'the asset'}`;
    case 'asset.archived': return 'archived the asset';
    default: return e.action.replaceAll('_', ' ').replace('.', ': ');
  }
}
