// StudioClient: the generated, fully typed REST surface (`client.api`, openapi-fetch over the OpenAPI
// document's types) plus the helpers the protocol needs: cursor iteration, tus uploads, verified ranged
// downloads, and waiting for renders and pipelines with live progress.
import createClient, { type Client } from 'openapi-fetch';
import type { Socket } from 'socket.io-client';
import { Authenticator, type Session } from './auth';
import { StudioAbortError, StudioApiError, StudioJobFailedError, parseErrorBody } from './errors';
import type { components, operations, paths } from './generated/api';
import { downloadResumable, type DownloadOptions, type DownloadResult } from './download';
import { connectRealtime, request, type Comment, type ServerEvents } from './realtime';
import { uploadResumable, type UploadOptions, type UploadResult } from './upload';

export type Asset = components['schemas']['Asset'];
export type AssetVersion = components['schemas']['AssetVersion'];
export type RenderJob = components['schemas']['RenderJob'];
export type AssetPipeline = components['schemas']['AssetPipeline'];
export type User = components['schemas']['User'];
export type ListAssetsQuery = NonNullable<operations['listAssets']['parameters']['query']>;
export type RenderRequest = NonNullable<operations['requestRender']['requestBody']>['content']['application/json'];
export type ListCommentsQuery = NonNullable<operations['listComments']['parameters']['query']>;
export type { Comment, Session };

export interface StudioClientOptions {
  /** The API's base URL, e.g. https://studio.example.com */
  baseUrl: string;
  /** An API token (sapi_…) */
  token?: string;
  /** A session from login; its access token is refreshed when it expires. */
  session?: Session;
  /** Called with every new session pair (refresh tokens rotate: store the latest). */
  onSession?: (session: Session) => void | Promise<void>;
}

type Page<T> = { data: T[]; page: { limit: number; nextCursor: string | null; hasMore: boolean } };

/** An async iterable of items that can also be walked page by page. */
export interface Paginated<T> extends AsyncIterable<T> {
  pages(): AsyncIterable<Page<T>>;
}

function paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, max?: number): Paginated<T> {
  async function* pages() {
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      yield page;
      cursor = page.page.hasMore ? (page.page.nextCursor ?? undefined) : undefined;
    } while (cursor);
  }
  return {
    pages,
    async *[Symbol.asyncIterator]() {
      let n = 0;
      for await (const page of pages()) {
        for (const item of page.data) {
          if (max !== undefined && n >= max) return;
          n++;
          yield item;
        }
      }
    },
  };
}

const RENDER_DONE = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const PIPELINE_DONE = new Set(['READY', 'FAILED']);

export interface RenderUpdate {
  job: RenderJob;
  /** The live event behind this update, when it came from Socket.IO rather than a poll. */
  event?: ServerEvents['render:progress'];
}

export interface WaitOptions<U> {
  onUpdate?: (update: U) => void;
  signal?: AbortSignal;
  /** How often to read the state over REST as well, in case an event was missed (default 2000 ms). */
  pollMs?: number;
  /** Give up after this long (default: never). */
  timeoutMs?: number;
  /** Whether a FAILED/CANCELLED end throws a StudioJobFailedError (default true). */
  throwOnFailure?: boolean;
}

export class StudioClient {
  readonly baseUrl: string;
  /** Every documented operation, typed from the OpenAPI document: `client.api.GET('/assets/{id}', { params: { path: { id } } })`. */
  readonly api: Client<paths>;
  private readonly auth: Authenticator;

  constructor(options: StudioClientOptions) {
    let baseUrl = options.baseUrl;
    while (baseUrl.endsWith('/')) baseUrl = baseUrl.slice(0, -1);
    this.baseUrl = baseUrl;
    const credentials = options.token ? { token: options.token } : options.session ? { session: options.session, onSession: options.onSession } : undefined;
    this.auth = new Authenticator(credentials, (refreshToken) => this.refreshSession(refreshToken));
    this.api = createClient<paths>({ baseUrl: this.baseUrl, fetch: (req) => this.authedFetch(req) });
  }

  /** Signs in with email and password (optionally into a given studio) and returns a client on that session. */
  static async login(options: { baseUrl: string; email: string; password: string; studioId?: string; onSession?: StudioClientOptions['onSession'] }): Promise<StudioClient> {
    const anonymous = new StudioClient({ baseUrl: options.baseUrl });
    const result = await anonymous.call(anonymous.api.POST('/auth/login', { body: { email: options.email, password: options.password, ...(options.studioId ? { studioId: options.studioId } : {}) } }));
    // The body carries the refresh token unless the client asks for cookie mode (the web app), which this one never does.
    if (!result.refreshToken) throw new Error('login answered without a refresh token');
    const session = { accessToken: result.accessToken, refreshToken: result.refreshToken };
    await options.onSession?.(session);
    return new StudioClient({ baseUrl: options.baseUrl, session, onSession: options.onSession });
  }

  /** The current session (after any refresh), for callers that store it. */
  get session(): Session | undefined {
    return this.auth.session;
  }

  /** The bearer to send now (refreshed first if it is about to expire). */
  bearer(): Promise<string | undefined> {
    return this.auth.bearer();
  }

  /** Unwraps an openapi-fetch result: the data, or a StudioApiError from the error contract. */
  async call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await pending;
    if (response.ok) return data as T;
    const body = (error as { error?: { code?: unknown } } | undefined)?.error;
    if (body && typeof body.code === 'string') return Promise.reject(new StudioApiError(response.status, body as { code: string; message: string }, retryAfter(response)));
    return Promise.reject(StudioApiError.fromBody(response.status, typeof error === 'string' ? error : JSON.stringify(error ?? ''), response.headers.get('retry-after') ?? undefined));
  }

  private async refreshSession(refreshToken: string): Promise<Session> {
    const res = await fetch(`${this.baseUrl}/auth/refresh`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
    if (!res.ok) throw await StudioApiError.fromResponse(res);
    const body = (await res.json()) as Session;
    return { accessToken: body.accessToken, refreshToken: body.refreshToken };
  }

  /** Adds the bearer; on a 401 for an expired access token, refreshes once and replays the request. */
  private async authedFetch(req: Request): Promise<Response> {
    const replay = req.clone();
    const withAuth = async (r: Request) => {
      const bearer = await this.auth.bearer();
      if (bearer) r.headers.set('Authorization', `Bearer ${bearer}`);
      return r;
    };
    const res = await fetch(await withAuth(req));
    if (res.status !== 401 || req.url.endsWith('/auth/refresh') || req.url.endsWith('/auth/login')) return res;
    const code = parseErrorBody(await res.clone().text())?.code;
    if (!code || !this.auth.canRefreshAfter(code)) return res;
    await this.auth.refresh();
    return fetch(await withAuth(replay));
  }

  // ---- assets -------------------------------------------------------------------------------------

  readonly assets = {
    /** Every asset matching the query, page after page (`for await (const a of client.assets.list({ type: 'SHOT' }))`); `max` stops early. */
    list: (query: Omit<ListAssetsQuery, 'cursor'> = {}, options: { max?: number } = {}): Paginated<Asset> =>
      paginate((cursor) => this.call(this.api.GET('/assets', { params: { query: { ...query, ...(cursor ? { cursor } : {}) } } })), options.max),
    get: (id: string) => this.call(this.api.GET('/assets/{id}', { params: { path: { id } } })),
    create: (body: NonNullable<operations['createAsset']['requestBody']>['content']['application/json']) => this.call(this.api.POST('/assets', { body })),
    versions: (id: string) => paginate((cursor) => this.call(this.api.GET('/assets/{id}/versions', { params: { path: { id }, query: cursor ? { cursor } : {} } })) as Promise<Page<AssetVersion>>),
    version: (id: string, v: number) => this.call(this.api.GET('/assets/{id}/versions/{v}', { params: { path: { id, v } } })),
  };

  /** Uploads a file or stream as the asset's next version over tus; resumes from `stateFile` when it names an unfinished upload of the same source. */
  upload(options: UploadOptions): Promise<UploadResult> {
    return uploadResumable({ baseUrl: this.baseUrl, bearer: () => this.bearer() }, options);
  }

  /** Downloads a version (default: the current one) to a file, resuming a `.part` left by an earlier run, verifying sha256. */
  download(options: DownloadOptions): Promise<DownloadResult> {
    return downloadResumable(
      {
        baseUrl: this.baseUrl,
        bearer: () => this.bearer(),
        versionFile: async (assetId, version) => {
          let v = version;
          if (v === undefined) {
            const asset = await this.assets.get(assetId);
            if (asset.currentVersion === null) throw new StudioApiError(404, { code: 'VERSION_NOT_FOUND', message: `asset ${assetId} has no version yet` });
            v = asset.currentVersion;
          }
          const found = await this.assets.version(assetId, v);
          return { version: found.version, size: found.file.size, sha256: found.file.sha256 };
        },
      },
      options,
    );
  }

  // ---- comments -----------------------------------------------------------------------------------

  readonly comments = {
    list: (assetId: string, query: Omit<ListCommentsQuery, 'cursor'> = {}) =>
      paginate((cursor) => this.call(this.api.GET('/assets/{id}/comments', { params: { path: { id: assetId }, query: { ...query, ...(cursor ? { cursor } : {}) } } }))),
    add: (assetId: string, body: NonNullable<operations['addComment']['requestBody']>['content']['application/json']) =>
      this.call(this.api.POST('/assets/{id}/comments', { params: { path: { id: assetId } }, body })),
    /**
     * Every comment after `after` (a seq), then each new one as it is posted, until the signal aborts.
     * Live over Socket.IO; after a reconnect the missed ones are read with `?after=<last seq>`, so none is lost or repeated.
     */
    follow: (assetId: string, options: { after?: number; signal?: AbortSignal } = {}): AsyncIterable<Comment> => this.followComments(assetId, options),
  };

  private async *followComments(assetId: string, options: { after?: number; signal?: AbortSignal }): AsyncGenerator<Comment> {
    let last = options.after ?? 0;
    const queue: Comment[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    const socket = await connectRealtime(this.baseUrl, () => this.bearer());
    let catchingUp = Promise.resolve();
    const catchUp = () => {
      catchingUp = catchingUp.then(async () => {
        for await (const c of this.comments.list(assetId, { after: last })) queue.push(c);
        notify();
      });
      return catchingUp;
    };
    socket.on('asset:commented', (c: Comment) => {
      if (c.assetId === assetId) {
        queue.push(c);
        notify();
      }
    });
    socket.io.on('reconnect', () => void catchUp().catch(() => undefined));
    options.signal?.addEventListener('abort', notify, { once: true });
    try {
      await request(socket, 'asset:join', { assetId });
      await catchUp();
      while (!options.signal?.aborted) {
        queue.sort((a, b) => a.seq - b.seq);
        while (queue.length) {
          const c = queue.shift()!;
          if (c.seq <= last) continue; // seen already (a live event that a catch-up also returned)
          last = c.seq;
          yield c;
        }
        if (options.signal?.aborted) break;
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      socket.close();
    }
  }

  // ---- renders and pipelines ----------------------------------------------------------------------

  readonly renders = {
    request: (assetId: string, body: RenderRequest = {}, options: { idempotencyKey?: string } = {}) =>
      this.call(this.api.POST('/assets/{id}/render', { params: { path: { id: assetId }, header: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {} }, body })),
    get: (id: string) => this.call(this.api.GET('/render-jobs/{id}', { params: { path: { id } } })),
    cancel: (id: string) => this.call(this.api.POST('/render-jobs/{id}/cancel', { params: { path: { id } } })),
    /** Resolves with the finished job; reports every progress event (per chunk) and every poll through onUpdate. */
    wait: (id: string, options: WaitOptions<RenderUpdate> = {}) => this.waitForRender(id, options),
  };

  readonly pipelines = {
    get: (assetId: string, version: number) => this.call(this.api.GET('/assets/{id}/versions/{v}/pipeline', { params: { path: { id: assetId, v: version } } })),
    /** Resolves once the version's pipeline is READY (or throws when it is FAILED). */
    wait: (assetId: string, version: number, options: WaitOptions<AssetPipeline> = {}) => this.waitForPipeline(assetId, version, options),
  };

  /** A connected Socket.IO client with this client's credentials (the caller closes it). */
  realtime(): Promise<Socket> {
    return connectRealtime(this.baseUrl, () => this.bearer());
  }

  private async waitForRender(id: string, options: WaitOptions<RenderUpdate>): Promise<RenderJob> {
    let job = await this.renders.get(id);
    options.onUpdate?.({ job });
    if (!RENDER_DONE.has(job.status)) {
      const socket = await this.realtime();
      try {
        // Progress goes only to sockets that joined the asset; completion goes to the studio's room.
        await request(socket, 'asset:join', { assetId: job.assetId });
        socket.io.on('reconnect', () => void request(socket, 'asset:join', { assetId: job.assetId }).catch(() => undefined));
        job = await this.watch<RenderJob>({
          socket,
          options,
          initial: job,
          done: (j) => RENDER_DONE.has(j.status),
          fetch: () => this.renders.get(id),
          report: (j) => options.onUpdate?.({ job: j }),
          live: (apply) => {
            socket.on('render:progress', (e: ServerEvents['render:progress']) => {
              if (e.jobId !== id) return;
              apply((j) => {
                const chunk = j.chunks[e.chunk];
                if (chunk) {
                  if (chunk.status === 'QUEUED') chunk.status = 'PROCESSING';
                  chunk.progress = Math.max(chunk.progress, Math.round(((e.frame - chunk.start + 1) / (chunk.end - chunk.start + 1)) * 100));
                }
                if (j.status === 'QUEUED') j.status = 'PROCESSING';
                j.progress = Math.max(j.progress, e.progress);
                options.onUpdate?.({ job: j, event: e });
              });
            });
            const end = (e: { jobId: string }) => e.jobId === id && apply(null);
            socket.on('render:completed', end);
            socket.on('render:failed', end);
          },
        });
      } finally {
        socket.close();
      }
    }
    if (job.status !== 'COMPLETED' && options.throwOnFailure !== false) throw new StudioJobFailedError(job.status, job.error, `render ${id}`);
    return job;
  }

  private async waitForPipeline(assetId: string, version: number, options: WaitOptions<AssetPipeline>): Promise<AssetPipeline> {
    let pipeline = await this.pipelines.get(assetId, version);
    options.onUpdate?.(pipeline);
    if (!PIPELINE_DONE.has(pipeline.status)) {
      const socket = await this.realtime();
      try {
        pipeline = await this.watch<AssetPipeline>({
          socket,
          options,
          initial: pipeline,
          done: (p) => PIPELINE_DONE.has(p.status),
          fetch: () => this.pipelines.get(assetId, version),
          report: (p) => options.onUpdate?.(p),
          live: (apply) => {
            socket.on('pipeline:update', (e: ServerEvents['pipeline:update']) => {
              if (e.assetId === assetId && e.version === version) apply(null);
            });
          },
        });
      } finally {
        socket.close();
      }
    }
    if (pipeline.status === 'FAILED' && options.throwOnFailure !== false) throw new StudioJobFailedError(pipeline.status, pipeline.error, `pipeline of asset ${assetId} version ${version}`);
    return pipeline;
  }

  /**
   * Follows a resource to a terminal state: live events either patch the local copy (apply(fn)) or ask for a
   * fresh read (apply(null)); a REST read every pollMs covers events lost to a reconnect.
   */
  private watch<T>(w: {
    socket: Socket;
    options: Pick<WaitOptions<unknown>, 'signal' | 'pollMs' | 'timeoutMs'>;
    initial: T;
    done: (t: T) => boolean;
    fetch: () => Promise<T>;
    report: (t: T) => void;
    live: (apply: (patch: ((t: T) => void) | null) => void) => void;
  }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let current = w.initial;
      let finished = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (err: unknown, value?: T) => {
        if (finished) return;
        finished = true;
        timers.forEach(clearInterval);
        w.options.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value as T);
      };
      const refresh = () =>
        w.fetch().then((fresh) => {
          if (finished) return;
          current = fresh;
          w.report(fresh);
          if (w.done(fresh)) finish(undefined, fresh);
        }, (err: unknown) => finish(err));
      const onAbort = () => finish(new StudioAbortError('Stopped waiting'));
      w.options.signal?.addEventListener('abort', onAbort, { once: true });
      w.live((patch) => {
        if (finished) return;
        if (patch) patch(current);
        else void refresh();
      });
      timers.push(setInterval(() => void refresh(), w.options.pollMs ?? 2000));
      if (w.options.timeoutMs) timers.push(setTimeout(() => finish(new StudioAbortError(`Still not finished after ${w.options.timeoutMs} ms`)), w.options.timeoutMs));
      // The state may have changed between the first read and joining the room.
      void refresh();
    });
  }
}

function retryAfter(res: Response): number | undefined {
  const v = res.headers.get('retry-after');
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}
