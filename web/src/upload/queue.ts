// The upload queue: files waiting, sending (a few at a time), offline, processing on the server, done,
// failed or cancelled; with each one's progress, rate and time left. The transport (tus in the app) is
// passed in, so this logic is the same whatever carries the bytes.
import { RateMeter } from './rate';

export type UploadState = 'queued' | 'uploading' | 'offline' | 'processing' | 'done' | 'failed' | 'cancelled';

export interface UploadError { status: number | null; code: string; message: string }

export interface UploadItem {
  id: string;
  assetId: string;
  name: string;
  size: number;
  state: UploadState;
  sent: number;
  /** Bytes per second, null until measured. */
  rate: number | null;
  /** Seconds left, null when unknown. */
  eta: number | null;
  error: UploadError | null;
  /** The version the upload became. */
  version: { version: number; sha256: string } | null;
  /** True when the transport picked up an earlier, interrupted upload of the same file. */
  resumed: boolean;
}

export interface TransportCallbacks {
  onProgress(sent: number, total: number): void;
  /** The upload continued where an earlier one stopped (offset `from`). */
  onResumed(from: number): void;
  /** The network went away; the transport waits and goes on by itself when it is back. */
  onOffline(): void;
  onOnline(): void;
  onSuccess(version: { version: number; sha256: string }): void;
  onError(error: UploadError): void;
}
export interface TransportHandle {
  /** Stops sending and discards what the server has of the upload. */
  cancel(): Promise<void>;
}
export type Transport = (job: { file: File; assetId: string; changeNote: string }, cb: TransportCallbacks) => TransportHandle;

const ACTIVE: UploadState[] = ['uploading', 'offline', 'processing'];

export class UploadQueue {
  private items: UploadItem[] = [];
  private readonly files = new Map<string, { file: File; changeNote: string }>();
  private readonly handles = new Map<string, TransportHandle>();
  /** The current run of each item: callbacks of an earlier (cancelled) run change nothing. */
  private readonly runs = new Map<string, object>();
  private readonly meters = new Map<string, RateMeter>();
  private readonly listeners = new Set<() => void>();
  private seq = 0;

  constructor(
    private readonly transport: Transport,
    private readonly opts: { concurrency?: number; now?: () => number } = {},
  ) {}

  /** The items, a new array after every change (for useSyncExternalStore). */
  get snapshot(): readonly UploadItem[] { return this.items; }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(assetId: string, files: File[], changeNote = ''): string[] {
    const ids = files.map((file) => {
      const id = `u${++this.seq}`;
      this.files.set(id, { file, changeNote });
      this.items = [...this.items, { id, assetId, name: file.name, size: file.size, state: 'queued', sent: 0, rate: null, eta: null, error: null, version: null, resumed: false }];
      return id;
    });
    this.emit();
    this.pump();
    return ids;
  }

  async cancel(id: string): Promise<void> {
    const item = this.get(id);
    if (!item || ['done', 'failed', 'cancelled'].includes(item.state)) return;
    const handle = this.handles.get(id);
    this.handles.delete(id);
    this.runs.delete(id);
    this.update(id, { state: 'cancelled', rate: null, eta: null });
    this.pump();
    await handle?.cancel();
  }

  /** Sends a failed or cancelled file again (the transport resumes what the server still has). */
  retry(id: string): void {
    const item = this.get(id);
    if (!item || !['failed', 'cancelled'].includes(item.state)) return;
    this.update(id, { state: 'queued', error: null, rate: null, eta: null });
    this.pump();
  }

  /** Takes a finished item off the list. */
  dismiss(id: string): void {
    const item = this.get(id);
    if (!item || ACTIVE.includes(item.state) || item.state === 'queued') return;
    this.items = this.items.filter((i) => i.id !== id);
    this.files.delete(id);
    this.emit();
  }

  private get(id: string) { return this.items.find((i) => i.id === id); }

  private update(id: string, patch: Partial<UploadItem>) {
    this.items = this.items.map((i) => (i.id === id ? { ...i, ...patch } : i));
    this.emit();
  }

  private emit() { for (const l of this.listeners) l(); }

  private pump() {
    const limit = this.opts.concurrency ?? 2;
    let running = this.items.filter((i) => ACTIVE.includes(i.state)).length;
    for (const item of this.items) {
      if (running >= limit) break;
      if (item.state !== 'queued') continue;
      running++;
      this.start(item.id);
    }
  }

  private start(id: string) {
    const { file, changeNote } = this.files.get(id)!;
    const item = this.get(id)!;
    const meter = new RateMeter();
    this.meters.set(id, meter);
    const now = this.opts.now ?? (() => performance.now());
    this.update(id, { state: 'uploading', sent: 0, error: null });
    const run = {};
    this.runs.set(id, run);
    const live = () => this.runs.get(id) === run;
    const handle = this.transport({ file, assetId: item.assetId, changeNote }, {
      onProgress: (sent, total) => {
        if (!live()) return;
        meter.add(now(), sent);
        const state = sent >= total ? 'processing' : 'uploading';
        this.update(id, { sent, state, rate: state === 'processing' ? null : meter.rate(), eta: state === 'processing' ? 0 : meter.eta(total) });
      },
      onResumed: (from) => {
        if (!live()) return;
        meter.reset();
        meter.add(now(), from);
        this.update(id, { resumed: true, sent: from });
      },
      onOffline: () => {
        if (!live()) return;
        meter.reset();
        this.update(id, { state: 'offline', rate: null, eta: null });
      },
      onOnline: () => { if (live()) this.update(id, { state: 'uploading' }); },
      onSuccess: (version) => {
        if (!live()) return;
        this.runs.delete(id);
        this.handles.delete(id);
        this.update(id, { state: 'done', sent: item.size, rate: null, eta: 0, version });
        this.pump();
      },
      onError: (error) => {
        if (!live()) return;
        this.runs.delete(id);
        this.handles.delete(id);
        this.update(id, { state: 'failed', rate: null, eta: null, error });
        this.pump();
      },
    });
    if (live()) this.handles.set(id, handle);
  }
}
