// The assets grid: cards with the current version's thumbnail (a placeholder until the pipeline has made
// one), virtualised by rows so 10,000 assets scroll as smoothly as 10.
import { memo, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMediaUrl } from '../media/useBlobUrl';
import { Badge, Skeleton } from '../ui';
import type { Asset } from './useAssetPages';
import g from './assets.module.css';

const CARD_MIN = 200;
const GAP = 12;
const ROW = 214;

export function AssetGrid({ items, pending, fresh, onNearEnd }: { items: Asset[]; pending: boolean; fresh: Set<string>; onNearEnd: () => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1200);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => e && setWidth(e.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const columns = Math.max(1, Math.floor((width - 2 * 16 + GAP) / (CARD_MIN + GAP)));
  const rowCount = pending ? 2 : Math.ceil(items.length / columns);
  const virtual = useVirtualizer({ count: rowCount, getScrollElement: () => scroller.current, estimateSize: () => ROW + GAP, overscan: 3 });
  const rows = virtual.getVirtualItems();
  const lastRow = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (!pending && lastRow >= rowCount - 3) onNearEnd();
  }, [lastRow, rowCount, pending, onNearEnd]);

  return (
    <div ref={scroller} className={g.gridScroller}>
      <ul aria-label="Assets" aria-busy={pending} className={g.grid} style={{ height: virtual.getTotalSize() }}>
        {rows.flatMap((r) => {
          if (pending) {
            return Array.from({ length: columns }, (_, c) => (
              <li key={`s${r.index}-${c}`} aria-hidden="true" className={g.card} style={cardStyle(r.start, c, columns)}>
                <div className={g.thumb} /><Skeleton width="70%" /><Skeleton width="40%" />
              </li>
            ));
          }
          return items.slice(r.index * columns, (r.index + 1) * columns).map((a, c) => (
            <AssetCard key={a.id} asset={a} fresh={fresh.has(a.id)} top={r.start} column={c} columns={columns} />
          ));
        })}
      </ul>
    </div>
  );
}

const cardStyle = (top: number, column: number, columns: number): React.CSSProperties => ({
  position: 'absolute',
  top,
  left: `calc(${(column / columns) * 100}% + ${(column * GAP) / columns}px)`,
  width: `calc(${100 / columns}% - ${((columns - 1) * GAP) / columns}px)`,
  height: ROW,
});

/** One card; memoised on plain props, so scrolling re-renders only the cards that enter or move. */
const AssetCard = memo(function AssetCard({ asset, fresh, top, column, columns }: { asset: Asset; fresh: boolean; top: number; column: number; columns: number }) {
  const style = cardStyle(top, column, columns);
  const thumb = useMediaUrl(asset.id, asset.currentVersion, 'thumbnail');
  return (
    <li className={[g.card, fresh ? g.fresh : ''].join(' ')} style={style}>
      <div className={g.thumb}>
        {thumb.data
          ? <img src={thumb.data} alt={`Thumbnail of ${asset.name}`} {...{ elementtiming: 'asset-thumbnail' }} />
          : <span className={g.placeholder} data-testid="thumb-placeholder">{asset.currentVersion ? (thumb.isFetching ? '' : 'No thumbnail') : 'No version yet'}</span>}
      </div>
      <Link to={`/assets/${asset.id}`} className={g.name}>{asset.name}</Link>
      <div className={g.meta}>
        <Badge status={asset.status} />
        <span className="tabular">{asset.currentVersion ? `v${asset.currentVersion}` : '—'}</span>
        <span>{asset.type.toLowerCase()}</span>
      </div>
    </li>
  );
});
