// Storage (/admin/storage, DIRECTORs and PRODUCERs): the studio's use against its quota in words ("412 GiB of
// 1 TiB"), what uploads in progress hold back, what happens at the quota, and the assets by size, largest
// first, each a link to its page. The quota refusal's message (STORAGE_QUOTA_EXCEEDED) sends people here.
import { Link } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { Button, EmptyState, ErrorState, Skeleton } from '../ui';
import { ProgressBar } from '../ui/ProgressBar';
import { bytesInWords, date, share, usedOf } from './format';
import { NotAllowed, useRole } from './shared';
import a from './admin.module.css';

type Usage = components['schemas']['StorageUsage'];

const TYPE_WORDS: Record<components['schemas']['AssetUsage']['type'], string> = {
  CHARACTER: 'character', PROP: 'prop', ENVIRONMENT: 'environment', SET: 'set', SHOT: 'shot', ANIMATION: 'animation', RIG: 'rig', TEXTURE: 'texture', AUDIO: 'audio', OTHER: 'other',
};

export function StoragePage() {
  const role = useRole();
  if (role === 'ARTIST') {
    return <NotAllowed title="Storage" who="directors and producers" what="This page shows how much of the studio’s storage its assets use, and which assets are the largest." />;
  }
  return <Storage />;
}

function Storage() {
  // Asked again on every visit (no staleTime): an upload elsewhere in the app since the last one changes both.
  const usage = useQuery({ queryKey: keys.storageUsage.detail(), queryFn: async () => unwrap(await api.GET('/storage/usage')), staleTime: 0 });
  return (
    <div className={a.page}>
      <h1>Storage</h1>
      <section className={a.section} aria-labelledby="use-h">
        <h2 id="use-h">The studio’s use</h2>
        {usage.isPending && <div role="status" aria-busy="true" aria-label="Loading the storage use" className={a.skeletons}><Skeleton width="50%" /><Skeleton /><Skeleton width="70%" /></div>}
        {usage.error && <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />}
        {usage.data && <Summary usage={usage.data} />}
      </section>
      <Assets total={usage.data?.logical.bytes ?? 0} />
    </div>
  );
}

function Summary({ usage }: { usage: Usage }) {
  const quota = usage.quota.bytes;
  const used = usage.logical.bytes;
  const reserved = usage.reserved.bytes;
  const pct = quota === null ? 0 : share(used + reserved, quota);
  return (
    <div className={a.summary}>
      <p className={a.big}>{quota === null ? <>{bytesInWords(used)} used · no quota</> : <>{usedOf(used, quota)} used</>}</p>
      {quota !== null && (
        <ProgressBar
          label="Storage used of the quota"
          value={pct}
          tone={pct >= 100 ? 'failed' : pct >= 90 ? 'waiting' : 'progress'}
          text={`${Math.floor(pct)}% of the quota${usage.remainingBytes !== null ? ` · ${bytesInWords(usage.remainingBytes)} left for new uploads` : ''}`}
        />
      )}
      <p>
        {usage.logical.versions.toLocaleString()} version{usage.logical.versions === 1 ? '' : 's'}, each counted whole.
        {usage.reserved.uploads > 0 && <> {bytesInWords(reserved)} is held for {usage.reserved.uploads} upload{usage.reserved.uploads === 1 ? '' : 's'} in progress until {usage.reserved.uploads === 1 ? 'it finishes or is' : 'they finish or are'} cancelled.</>}
      </p>
      <p className={a.muted}>
        Stored on disk: {bytesInWords(usage.physical.bytes)} in {usage.physical.objects.toLocaleString()} file{usage.physical.objects === 1 ? '' : 's'} (identical files uploaded twice are stored once, so this can be less than the use).
      </p>
      <p className={a.muted}>
        {quota === null
          ? 'The studio has no storage quota: uploads are limited only by the size of each file.'
          : <>At the quota, a new upload is refused before any of it is sent, with a message saying how much is left; nothing already stored is removed. Free space by archiving or deleting assets you no longer need (largest first below), or ask your operator to raise the quota{usage.quota.source === 'studio' ? ', which they set for this studio' : ''}.</>}
      </p>
    </div>
  );
}

function Assets({ total }: { total: number }) {
  const assets = useInfiniteQuery({
    queryKey: keys.storageUsage.assets(),
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/storage/usage/assets', { params: { query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.page.nextCursor ?? undefined,
    staleTime: 0,
  });
  // Largest first, so the assets with nothing stored (no version yet) come last: they are left out, and so is
  // asking for more once a page ends in one.
  const pages = assets.data?.pages ?? [];
  const rows = pages.flatMap((p) => p.data).filter((r) => r.bytes > 0);
  const more = assets.hasNextPage && (pages[pages.length - 1]?.data.at(-1)?.bytes ?? 0) > 0;
  return (
    <section className={a.section} aria-labelledby="assets-h">
      <h2 id="assets-h">Largest assets</h2>
      <p className={a.muted}>The studio’s assets by the size of all their versions, archived ones and shots’ assets included.</p>
      {assets.isPending && <div role="status" aria-busy="true" aria-label="Loading the assets by size" className={a.skeletons}><Skeleton /><Skeleton width="90%" /><Skeleton width="80%" /></div>}
      {assets.error && <ErrorState error={assets.error} onRetry={() => void assets.refetch()} />}
      {assets.data && rows.length === 0 && (
        <EmptyState title="Nothing stored yet">
          <p>Assets appear here once versions are uploaded to them. <Link to="/assets">Go to the assets</Link></p>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <table className={a.table}>
          <caption className="visually-hidden">Assets by storage used, largest first</caption>
          <thead>
            <tr><th scope="col">Asset</th><th scope="col">Type</th><th scope="col" className={a.num}>Versions</th><th scope="col" className={a.num}>Size</th><th scope="col" className={a.num}>Share</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.assetId} className={r.archivedAt ? a.inactive : undefined}>
                <td data-label="Asset">
                  <Link to={`/assets/${r.assetId}`}>{r.name}</Link>
                  {r.shotId && <span className={a.muted}> · a shot’s asset</span>}
                  {r.archivedAt && <span className={a.muted}> · archived {date(r.archivedAt)}</span>}
                </td>
                <td data-label="Type">{TYPE_WORDS[r.type]}</td>
                <td data-label="Versions" className={`${a.num} tabular`}>{r.versions}</td>
                <td data-label="Size" className={`${a.num} tabular`}>{bytesInWords(r.bytes)}</td>
                <td data-label="Share" className={`${a.num} tabular`}>{total > 0 ? `${share(r.bytes, total) < 1 && r.bytes > 0 ? '<1' : Math.round(share(r.bytes, total))}%` : '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {more && <Button onClick={() => void assets.fetchNextPage()} disabled={assets.isFetchingNextPage}>{assets.isFetchingNextPage ? 'Loading…' : 'Show more assets'}</Button>}
    </section>
  );
}
