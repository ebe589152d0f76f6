// Upload new versions of an asset: drop files or pick them, several at once; each shows its progress,
// MiB/s and time left, can be cancelled, and shows the API's refusal (415, 413…) in its words. Uploads a
// reload interrupted are offered for resumption.
import { useCallback, useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import { Button, TextField } from '../ui';
import { ProgressBar } from '../ui/ProgressBar';
import { uploadQueue } from './store';
import type { UploadItem } from './queue';
import { formatBytes, formatEta, formatRate } from './rate';
import { offersFor, type ResumeOffer } from './resume';
import { discardStored, serverOffset, storedUploads } from './tusTransport';
import u from './upload.module.css';

export function UploadPanel({ assetId, disabled }: { assetId: string; disabled?: boolean }) {
  const queue = uploadQueue();
  const all = useSyncExternalStore((cb) => queue.subscribe(cb), () => queue.snapshot);
  const items = all.filter((i) => i.assetId === assetId);
  const [note, setNote] = useState('');
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const offers = useResumeOffers(assetId, items);

  const add = useCallback((files: FileList | File[] | null) => {
    const list = Array.from(files ?? []);
    if (!list.length) return;
    queue.add(assetId, list, note.trim());
    setNote('');
  }, [queue, assetId, note]);

  return (
    <section className={u.panel} aria-labelledby={`${inputId}-h`}>
      <h2 id={`${inputId}-h`}>Upload a new version</h2>
      {offers.list.map((o) => (
        <div key={o.urlStorageKey} className={u.offer} role="status">
          <span>
            An upload of <strong>{o.fileName}</strong> ({formatBytes(o.size)}) was interrupted
            {o.offset !== undefined && o.offset !== null ? ` at ${Math.floor((o.offset / o.size) * 100)}%` : ''}. Choose the same file again to resume it.
          </span>
          <Button onClick={() => input.current?.click()} disabled={disabled}>Resume {o.fileName}</Button>
          <Button variant="ghost" onClick={() => void offers.discard(o)}>Discard</Button>
        </div>
      ))}
      <div
        className={[u.drop, over ? u.over : ''].join(' ')}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => { e.preventDefault(); setOver(false); if (!disabled) add(e.dataTransfer.files); }}
      >
        <p>Drop files here, or</p>
        <input id={inputId} ref={input} type="file" multiple className="visually-hidden" tabIndex={-1} aria-label="Files to upload" disabled={disabled} onChange={(e) => { add(e.target.files); e.target.value = ''; }} />
        <Button variant="primary" disabled={disabled} onClick={() => input.current?.click()} aria-controls={inputId}>Choose files…</Button>
        <div className={u.note}><TextField label="Change note (optional)" value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} placeholder="What changed in this version" /></div>
      </div>
      {items.length > 0 && (
        <ul className={u.items} aria-label="Uploads">
          {items.map((i) => <UploadRow key={i.id} item={i} />)}
        </ul>
      )}
    </section>
  );
}

const STATE_TEXT: Record<UploadItem['state'], string> = {
  queued: 'Waiting', uploading: 'Uploading', offline: 'Offline — resumes when the connection is back', processing: 'Checking and storing…', done: 'Done', failed: 'Failed', cancelled: 'Cancelled',
};

function UploadRow({ item }: { item: UploadItem }) {
  const queue = uploadQueue();
  const pct = item.size ? (item.sent / item.size) * 100 : item.state === 'done' ? 100 : 0;
  const detail = item.state === 'uploading'
    ? `${formatBytes(item.sent)} of ${formatBytes(item.size)} · ${formatRate(item.rate)} · ${formatEta(item.eta)}`
    : item.state === 'done' && item.version
      ? `Version ${item.version.version} · sha256 ${item.version.sha256.slice(0, 12)}…`
      : `${formatBytes(item.sent)} of ${formatBytes(item.size)}`;
  return (
    <li className={u.item} data-state={item.state}>
      <div className={u.itemHead}>
        <span className={u.fileName}>{item.name}</span>
        <span className={u.state}>{STATE_TEXT[item.state]}{item.resumed ? ' (resumed)' : ''}</span>
        {['queued', 'uploading', 'offline'].includes(item.state) && <Button variant="ghost" onClick={() => void queue.cancel(item.id)} aria-label={`Cancel upload of ${item.name}`}>Cancel</Button>}
        {['failed', 'cancelled'].includes(item.state) && <Button variant="ghost" onClick={() => queue.retry(item.id)} aria-label={`Retry upload of ${item.name}`}>Retry</Button>}
        {['done', 'failed', 'cancelled'].includes(item.state) && <Button variant="ghost" onClick={() => queue.dismiss(item.id)} aria-label={`Dismiss ${item.name}`}>Dismiss</Button>}
      </div>
      <ProgressBar label={`Upload of ${item.name}`} value={pct} text={detail} tone={item.state === 'failed' ? 'failed' : item.state === 'done' ? 'approved' : item.state === 'offline' ? 'waiting' : 'progress'} />
      {item.error && <p role="alert" className={u.error}>{item.error.message}{item.error.status ? ` (${item.error.status})` : ''}</p>}
    </li>
  );
}

/** Interrupted uploads of this asset stored in this browser, with how much the server holds of each. */
function useResumeOffers(assetId: string, items: readonly UploadItem[]) {
  const [list, setList] = useState<Array<ResumeOffer & { offset?: number | null }>>([]);
  const running = items.filter((i) => ['queued', 'uploading', 'offline', 'processing'].includes(i.state)).map((i) => `${i.name}:${i.size}`).join('|');
  const doneCount = items.filter((i) => i.state === 'done').length;
  const load = useCallback(async () => {
    const offers = offersFor(await storedUploads(), assetId, running ? running.split('|').map((r) => { const k = r.lastIndexOf(':'); return { name: r.slice(0, k), size: Number(r.slice(k + 1)) }; }) : []);
    const withOffsets = await Promise.all(offers.map(async (o) => ({ ...o, offset: await serverOffset(o.uploadUrl) })));
    // An upload the server no longer has (expired, finished elsewhere) is no offer: forget it.
    setList(withOffsets.filter((o) => o.offset !== null));
  }, [assetId, running]);
  useEffect(() => { void load(); }, [load, doneCount]);
  const discard = async (o: ResumeOffer) => {
    await discardStored(o.urlStorageKey, o.uploadUrl);
    await load();
  };
  return { list, discard };
}
