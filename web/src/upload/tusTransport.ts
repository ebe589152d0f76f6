// The queue's transport: tus 1.0 against the API's /uploads, with the in-memory bearer token on every request,
// a refresh and retry on 401, and resumption: across a network drop (it waits for the browser to be online
// again) and across a reload (tus-js-client's URL storage, keyed by a fingerprint of studio, asset and file).
import * as tus from 'tus-js-client';
import { session } from '../api/client';
import type { Transport, UploadError } from './queue';
import { MiB } from './rate';

/** About twenty chunks per file, 4 to 64 MiB each: fine-grained progress, and a drop loses at most one chunk. */
export const chunkSizeFor = (size: number) => Math.min(64 * MiB, Math.max(4 * MiB, Math.ceil(size / 20)));

export const fingerprintOf = (studioId: string, assetId: string, f: { name: string; type: string; size: number; lastModified: number }) =>
  ['studio', studioId, assetId, f.size, f.lastModified, f.type, f.name].join(':');

const withToken = async (req: tus.HttpRequest) => {
  const token = session.accessToken;
  if (token) req.setHeader('Authorization', `Bearer ${token}`);
};

/** The API's error contract from a tus error (415 unsupported type, 413 too large…), or a network failure. */
export function uploadErrorOf(err: Error | tus.DetailedError): UploadError {
  const res = (err as tus.DetailedError).originalResponse ?? null;
  const status = res ? res.getStatus() : null;
  try {
    const body = JSON.parse(res?.getBody() ?? '') as { error?: { code?: string; message?: string } };
    if (body.error?.message) return { status, code: body.error.code ?? 'UPLOAD_FAILED', message: body.error.message };
  } catch { /* not JSON */ }
  if (!status) return { status: null, code: 'NETWORK', message: 'The connection to the server failed' };
  return { status, code: 'UPLOAD_FAILED', message: `The server answered ${status}` };
}

/**
 * Whether a failed tus request is worth another try: a network failure, a 5xx, a 409 (offset conflict) or a 423
 * (another request holds the upload). Not 507 STORAGE_QUOTA_EXCEEDED (a 5xx no retry can cure) nor 429
 * TOO_MANY_OPEN_UPLOADS (the studio's other uploads must end first): their messages are shown at once.
 */
export const retriable = (status: number) => status === 0 || (status >= 500 && status !== 507) || status === 409 || status === 423;

export function tusTransport(endpoint = `${window.location.origin}/uploads`): Transport {
  return ({ file, assetId, changeNote }, cb) => {
    let offline = false;
    let cancelled = false;
    let refreshing: Promise<unknown> | null = null;
    const goOn = () => {
      if (!offline || cancelled) return;
      offline = false;
      cb.onOnline();
      upload.start();
    };
    window.addEventListener('online', goOn);
    const stop = () => window.removeEventListener('online', goOn);
    const upload: tus.Upload = new tus.Upload(file, {
      endpoint,
      chunkSize: chunkSizeFor(file.size),
      retryDelays: [0, 1000, 3000, 5000, 10000],
      metadata: { assetId, filename: file.name, ...(changeNote ? { changeNote } : {}) },
      fingerprint: async (f: File) => fingerprintOf(session.current.status === 'signed-in' ? session.current.user.studioId : '', assetId, f),
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onBeforeRequest: async (req) => {
        if (refreshing) await refreshing;
        await withToken(req);
      },
      onAfterResponse: (req, res) => {
        // A HEAD is tus asking the server how much it has: the upload resumes from there.
        if (req.getMethod() === 'HEAD' && res.getStatus() === 200) cb.onResumed(Number(res.getHeader('Upload-Offset') ?? 0));
      },
      onShouldRetry: (err, attempt) => {
        if (cancelled) return false;
        if (typeof navigator !== 'undefined' && !navigator.onLine) {
          // Wait for the 'online' event instead of spending the retries.
          offline = true;
          cb.onOffline();
          return false;
        }
        const status = err.originalResponse?.getStatus() ?? 0;
        if (status === 401 && attempt < 2) {
          refreshing = session.refresh().catch(() => null).finally(() => { refreshing = null; });
          return true;
        }
        return retriable(status);
      },
      onProgress: (sent, total) => cb.onProgress(sent, total),
      onSuccess: ({ lastResponse }) => {
        stop();
        try {
          const body = JSON.parse(lastResponse.getBody()) as { version: { version: number; file: { sha256: string } } };
          cb.onSuccess({ version: body.version.version, sha256: body.version.file.sha256 });
        } catch {
          cb.onError({ status: lastResponse.getStatus(), code: 'UPLOAD_RESPONSE_INVALID', message: 'The server accepted the file but its answer could not be read' });
        }
      },
      onError: (err) => {
        if (offline || cancelled) return;
        stop();
        cb.onError(uploadErrorOf(err));
      },
    });
    void upload.findPreviousUploads().then((previous) => {
      if (cancelled) return;
      const last = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
      if (last) upload.resumeFromPreviousUpload(last);
      upload.start();
    });
    return {
      cancel: async () => {
        cancelled = true;
        stop();
        await upload.abort(true).catch(() => undefined);
      },
    };
  };
}

/** Interrupted uploads tus-js-client remembers in this browser. */
export const storedUploads = () => tus.defaultOptions.urlStorage.findAllUploads();

/** How many bytes the server holds of an upload (HEAD), or null when it is gone. */
export async function serverOffset(uploadUrl: string): Promise<number | null> {
  const res = await session.authFetch(new Request(new URL(uploadUrl, window.location.origin), { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })).catch(() => null);
  if (!res?.ok) return null;
  return Number(res.headers.get('Upload-Offset') ?? 0);
}

/** Forgets an interrupted upload here and discards its bytes on the server. */
export async function discardStored(urlStorageKey: string, uploadUrl: string): Promise<void> {
  await tus.Upload.terminate(new URL(uploadUrl, window.location.origin).href, { onBeforeRequest: withToken }).catch(() => undefined);
  await tus.defaultOptions.urlStorage.removeUpload(urlStorageKey);
}
