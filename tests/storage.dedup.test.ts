// Content-addressed storage (issue 21): identical bytes of one studio are stored once, a client can ask "do you
// have this hash?" and make a version from held bytes, an archived asset can be purged, and the storage collector
// removes objects no version references, never one a concurrent upload is about to use. On local disk and S3.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { Types } from 'mongoose';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { bufferOf, generated, multipartUpload, sha256Of } from './support/uploads';
import { pipelineWorkerFor, waitFor } from './support/workers';
import { indexKeys, servingIndex } from './support/indexCoverage';
import { blobSchema, type BlobDoc } from '../src/app/repositories/models/Blob';
import { assetVersionSchema } from '../src/app/repositories/models/AssetVersion';
import { assetPipelineSchema } from '../src/app/repositories/models/AssetPipeline';
import { runMigrations } from '../src/infra/database/migrations';

const MiB = 1024 * 1024;
const FBX = (tag: string) => Buffer.from(`; FBX 7.4.0 project file\n; ${tag}\n${'v 0 0 0\n'.repeat(512)}`);
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const future = () => new Date(Date.now() + 2 * 3600_000);

/** The sha256 of a download, streamed (a 100 MiB body is never held), on a connection of its own. */
function downloadedSha(url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { Authorization: `Bearer ${token}` }, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`download answered ${res.statusCode}`));
          return;
        }
        sha256Of(res).then(resolve, reject);
      })
      .on('error', reject);
  });
}

describe.each(STORAGE_DRIVERS)('content-addressed storage on %s', (_driver, overrides) => {
  let h: Harness;
  let base: string;
  let s: Session;
  let other: Session;

  beforeAll(async () => {
    // The grace period stays at its default (an hour): tests make time pass by handing the collector a later "now".
    h = await startHarness({ ...overrides, RATE_LIMIT_MAX: '100000', MAX_UPLOAD_BYTES: '256mb', STORAGE_GC_INTERVAL_SECONDS: '0' });
    base = await h.listen();
    s = await givenStudio(h);
    other = await givenStudio(h);
  });
  afterAll(() => h.close());

  const storage = () => h.container.storage;
  const blobs = () => h.container.services.blobs;
  const stored = (who: Session) => storage().list(`studios/${who.user.studioId}/`);
  const newAsset = async (name: string, who = s) => (await h.http.post('/assets').set(who.auth).send({ name, type: 'PROP' }).expect(201)).body as { id: string };
  const upload = async (assetId: string, bytes: Buffer, name = 'model.fbx', who = s) => {
    const res = await h.http.post(`/assets/${assetId}/versions`).set(who.auth).attach('file', bytes, name);
    expect(res.status).toBe(201);
    return res.body.version as { version: number; file: { sha256: string; size: number } };
  };
  const keyOf = async (assetId: string, version = 1) => (await h.container.models.AssetVersion.findOne({ assetId: new Types.ObjectId(assetId), version }).lean())!.file.key;
  const downloadSha = async (assetId: string, who = s, version?: number) => {
    return downloadedSha(`${base}/assets/${assetId}/${version ? `versions/${version}/` : ''}download`, who.accessToken);
  };
  const purge = async (assetId: string, who = s) => {
    await h.http.delete(`/assets/${assetId}`).set(who.auth).expect(200);
    return h.http.post(`/assets/${assetId}/purge`).set(who.auth);
  };
  /** The invariant the collector must keep: every version's object exists. */
  async function everyVersionHasItsObject() {
    const versions = await h.container.models.AssetVersion.find({}).lean();
    const missing: string[] = [];
    for (const v of versions) if (!(await storage().exists(v.file.key))) missing.push(`${String(v.assetId)} v${v.version}`);
    expect(missing).toEqual([]);
  }

  it('stores the same 100 MiB file uploaded to three assets of one studio once; another studio stores its own', async () => {
    const size = 100 * MiB;
    const sha = await sha256Of(generated(size, 21));
    const assets = [await newAsset('Plate A'), await newAsset('Plate B'), await newAsset('Plate C')];
    const before = await stored(s);
    for (const a of assets) {
      const res = await multipartUpload(`${base}/assets/${a.id}/versions`, s.accessToken, 'plate.obj', generated(size, 21));
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body).version.file).toMatchObject({ sha256: sha, size });
    }
    const added = (await stored(s)).filter((k) => !before.includes(k));
    expect(added).toHaveLength(1);
    const keys = await Promise.all(assets.map((a) => keyOf(a.id)));
    expect(new Set(keys)).toEqual(new Set(added));
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: { $in: assets.map((a) => new Types.ObjectId(a.id)) } })).toBe(3);

    const theirs = await newAsset('Their plate', other);
    const res = await multipartUpload(`${base}/assets/${theirs.id}/versions`, other.accessToken, 'plate.obj', generated(size, 21));
    expect(res.status).toBe(201);
    const theirKeys = await stored(other);
    expect(theirKeys).toEqual([await keyOf(theirs.id)]);
    expect(theirKeys[0]!.startsWith(`studios/${other.user.studioId}/`)).toBe(true);

    for (const a of assets) expect(await downloadSha(a.id)).toBe(sha);
    expect(await downloadSha(theirs.id, other)).toBe(sha);
    // Physical usage counts the shared object once.
    expect(await blobs().usage(s.user.studioId)).toEqual({ objects: (await stored(s)).length, bytes: expect.any(Number) });
    expect(await blobs().usage(other.user.studioId)).toEqual({ objects: 1, bytes: size });
  }, 300_000);

  it('answers "do you have this hash?" per studio and makes a version from held bytes without sending them', async () => {
    const bytes = FBX('held');
    const sha = hex(bytes);
    const first = await newAsset('Held source');
    await upload(first.id, bytes, 'source.fbx');

    const have = await h.http.get(`/blobs/${sha}`).set(s.auth);
    expect([have.status, have.body]).toEqual([200, { sha256: sha, size: bytes.length }]);
    expect((await h.http.head(`/blobs/${sha.toUpperCase()}`).set(s.auth)).status).toBe(200);
    const unknown = await h.http.get(`/blobs/${hex(Buffer.from('never uploaded'))}`).set(s.auth);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'BLOB_NOT_FOUND']);
    const bad = await h.http.get('/blobs/not-a-hash').set(s.auth);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    // Another studio learns nothing of these bytes, and a member of any role may ask.
    const theirs = await h.http.get(`/blobs/${sha}`).set(other.auth);
    expect([theirs.status, theirs.body.error.code]).toEqual([404, 'BLOB_NOT_FOUND']);
    const artist = await givenMember(h, s, 'ARTIST');
    expect((await h.http.head(`/blobs/${sha}`).set(artist.auth)).status).toBe(200);

    const target = await newAsset('Made from held bytes');
    await upload(target.id, FBX('something else'), 'other.fbx');
    const objectsBefore = await stored(s);
    const made = await h.http.post(`/assets/${target.id}/versions/from-blob`).set(artist.auth).send({ sha256: sha, fileName: 'copy.fbx', changeNote: 'same bytes, no upload' });
    expect(made.status).toBe(201);
    expect(made.headers.location).toBe(`/assets/${target.id}/versions/2`);
    // Sniffed under its own name: an ASCII FBX has no signature, so it is accepted on its extension, as when uploaded.
    expect(made.body.version).toMatchObject({ version: 2, changeNote: 'same bytes, no upload', file: { sha256: sha, size: bytes.length, originalName: 'copy.fbx', verified: false } });
    expect(made.body.asset).toMatchObject({ currentVersion: 2, latestVersion: 2 });
    expect(await keyOf(target.id, 2)).toBe(await keyOf(first.id));
    expect(await stored(s)).toEqual(objectsBefore);
    expect(await downloadSha(target.id)).toBe(sha);
    const history = await h.http.get(`/assets/${target.id}/history`).set(s.auth);
    expect(history.body.data[0]).toMatchObject({ action: 'version.created', details: { version: 2, sha256: sha } });

    // Another studio cannot make a version from these bytes, on its own asset or on ours.
    const foreign = await newAsset('Their target', other);
    const refused = await h.http.post(`/assets/${foreign.id}/versions/from-blob`).set(other.auth).send({ sha256: sha, fileName: 'stolen.fbx' });
    expect([refused.status, refused.body.error.code]).toEqual([404, 'BLOB_NOT_FOUND']);
    const ours = await h.http.post(`/assets/${target.id}/versions/from-blob`).set(other.auth).send({ sha256: sha, fileName: 'stolen.fbx' });
    expect([ours.status, ours.body.error.code]).toEqual([404, 'ASSET_NOT_FOUND']);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(foreign.id) })).toBe(0);
    expect(await stored(other)).not.toContain(await keyOf(first.id));
    // Bad input changes nothing.
    const invalid = await h.http.post(`/assets/${target.id}/versions/from-blob`).set(s.auth).send({ sha256: sha, fileName: '../../etc/passwd', extra: 1 });
    expect(invalid.status).toBe(400);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(target.id) })).toBe(2);
  });

  it('purges an archived asset (PRODUCER only) and lets the collector remove objects no other asset references', async () => {
    const only = FBX('only one asset');
    const shared = FBX('shared by two assets');
    const lonely = await newAsset('Lonely');
    await upload(lonely.id, only, 'lonely.fbx');
    const a = await newAsset('Shares A');
    const b = await newAsset('Shares B');
    await upload(a.id, shared, 'a.fbx');
    await upload(b.id, shared, 'b.fbx');
    const [onlyKey, sharedKey] = [await keyOf(lonely.id), await keyOf(a.id)];
    expect(await keyOf(b.id)).toBe(sharedKey);

    const unarchived = await h.http.post(`/assets/${lonely.id}/purge`).set(s.auth);
    expect([unarchived.status, unarchived.body.error.code]).toEqual([409, 'ASSET_NOT_ARCHIVED']);
    await h.http.delete(`/assets/${lonely.id}`).set(s.auth).expect(200);
    const artist = await givenMember(h, s, 'ARTIST');
    const director = await givenMember(h, s, 'DIRECTOR');
    for (const who of [artist, director]) expect((await h.http.post(`/assets/${lonely.id}/purge`).set(who.auth)).status).toBe(403);
    const foreign = await h.http.post(`/assets/${lonely.id}/purge`).set(other.auth);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'ASSET_NOT_FOUND']);
    const stale = await h.http.post(`/assets/${lonely.id}/purge`).set(s.auth).set('If-Match', '"stale"');
    expect(stale.status).toBe(412);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(lonely.id) })).toBe(1);

    const usageBefore = (await h.http.get('/storage/usage').set(s.auth).expect(200)).body as { logical: { bytes: number; versions: number } };
    const heard: unknown[] = [];
    const off = h.container.events.on('asset.purged', (e) => void heard.push(e));
    const etag = (await h.http.get(`/assets/${lonely.id}`).set(s.auth)).headers.etag!;
    const purged = await h.http.post(`/assets/${lonely.id}/purge`).set(s.auth).set('If-Match', etag);
    off();
    expect([purged.status, purged.body]).toEqual([200, { assetId: lonely.id, versions: 1, bytes: only.length }]);
    expect(heard).toEqual([{ studioId: s.user.studioId, actorId: s.user.id, assetId: lonely.id, versions: 1, bytes: only.length }]);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: new Types.ObjectId(lonely.id) })).toBe(0);
    expect((await h.http.get(`/assets/${lonely.id}`).set(s.auth)).body).toMatchObject({ currentVersion: null, archivedAt: expect.any(String) });
    expect((await h.http.get(`/assets/${lonely.id}/download`).set(s.auth)).status).toBe(404);
    const history = await h.http.get(`/assets/${lonely.id}/history`).set(s.auth);
    expect(history.body.data[0]).toMatchObject({ action: 'asset.purged', actorId: s.user.id, details: { versions: 1, bytes: only.length } });
    // Storage usage gives the bytes back: the studio's logical totals, and the asset's own line.
    await waitFor('usage to drop by the purged version', async () => {
      const now = (await h.http.get('/storage/usage').set(s.auth)).body as { logical: { bytes: number; versions: number } };
      return now.logical.bytes === usageBefore.logical.bytes - only.length && now.logical.versions === usageBefore.logical.versions - 1;
    }, 10_000);
    const byAsset = (await h.http.get('/storage/usage/assets?limit=100').set(s.auth).expect(200)).body as { data: Array<{ assetId: string; bytes: number; versions: number }> };
    expect(byAsset.data.find((u) => u.assetId === lonely.id)).toMatchObject({ bytes: 0, versions: 0 });

    const sharedPurge = await purge(a.id);
    expect(sharedPurge.body).toEqual({ assetId: a.id, versions: 1, bytes: shared.length });

    // Within the grace period the collector keeps even an unreferenced object.
    await blobs().collect();
    expect(await storage().exists(onlyKey)).toBe(true);
    const collected = await blobs().collect({ now: future() });
    expect(collected.removed).toBeGreaterThanOrEqual(1);
    expect(await storage().exists(onlyKey)).toBe(false);
    expect(await h.container.models.Blob.countDocuments({ key: onlyKey })).toBe(0);
    // B still references the shared object: kept, and still downloads.
    expect(await storage().exists(sharedKey)).toBe(true);
    expect(await downloadSha(b.id)).toBe(hex(shared));
    expect((await h.http.get(`/blobs/${hex(only)}`).set(s.auth)).status).toBe(404);
    expect((await h.http.get(`/blobs/${hex(shared)}`).set(s.auth)).status).toBe(200);

    // Once B goes too, the shared object goes.
    await purge(b.id);
    await blobs().collect({ now: future() });
    expect(await storage().exists(sharedKey)).toBe(false);
    await everyVersionHasItsObject();
  });

  it('purges a version\'s previews with it', async () => {
    const worker = await pipelineWorkerFor(h);
    try {
      const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: '#336699' } }).png().toBuffer();
      const a = await newAsset('With a thumbnail');
      await upload(a.id, png, 'plate.png');
      const p = await waitFor('the pipeline', async () => {
        const doc = await h.container.models.AssetPipeline.findOne({ assetId: new Types.ObjectId(a.id) }).lean();
        return doc?.status === 'READY' ? doc : undefined;
      });
      const thumb = p.outputs.thumbnailKey!;
      expect(await storage().exists(thumb)).toBe(true);
      expect((await purge(a.id)).status).toBe(200);
      expect(await storage().exists(thumb)).toBe(false);
      expect(await storage().list(`studios/${s.user.studioId}/assets/${a.id}/versions/1/`)).toEqual([]);
      expect(await h.container.models.AssetPipeline.countDocuments({ assetId: new Types.ObjectId(a.id) })).toBe(0);
      expect((await h.http.get(`/assets/${a.id}/versions/1/thumbnail`).set(s.auth)).status).toBe(404);
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('takes back what a commit failing after its claim stored, and keeps a held object another version uses', async () => {
    const actor = { id: s.user.id, studioId: s.user.studioId, role: 'PRODUCER' as const };
    const commit = async (assetId: string, bytes: Buffer) => {
      const key = `studios/${s.user.studioId}/assets/${assetId}/versions/failing-${hex(bytes).slice(0, 8)}-${Date.now()}`;
      const put = await storage().write(key, Readable.from([bytes]));
      // An empty original name fails the version's own validation at insert, after the object was claimed.
      const res = h.container.services.versions.commitStored(actor, assetId, { key, size: put.size, sha256: put.sha256, mimeType: 'application/octet-stream', originalName: '', verified: false, changeNote: '' }, { contentAddressed: true });
      await expect(res).rejects.toThrow();
      return key;
    };
    const fresh = FBX('never committed');
    const a = await newAsset('Failing commit');
    const key = await commit(a.id, fresh);
    expect(await storage().exists(key)).toBe(false);
    expect(await h.container.models.Blob.countDocuments({ sha256: hex(fresh) })).toBe(0);
    expect(await h.container.models.Asset.findById(a.id).lean()).toMatchObject({ latestVersion: 0, currentVersion: null });

    const held = FBX('held while a commit fails');
    await upload(a.id, held, 'held.fbx');
    const heldKey = await keyOf(a.id);
    const copy = await commit(a.id, held);
    expect(await storage().exists(copy)).toBe(false);
    expect(await storage().exists(heldKey)).toBe(true);
    expect(await h.container.models.Blob.find({ sha256: hex(held) }).lean()).toEqual([expect.objectContaining({ key: heldKey, state: 'live' })]);
    expect(await downloadSha(a.id)).toBe(hex(held));
  });

  describe('the collector racing a new upload of the same bytes', () => {
    /** An object of the studio that no version references any more (its only asset purged). */
    async function orphan(tag: string): Promise<{ bytes: Buffer; blob: BlobDoc }> {
      const bytes = FBX(tag);
      const a = await newAsset(`Orphan ${tag}`);
      await upload(a.id, bytes, 'orphan.fbx');
      const key = await keyOf(a.id);
      expect((await purge(a.id)).status).toBe(200);
      return { bytes, blob: (await h.container.models.Blob.findOne({ key }).lean<BlobDoc>())! };
    }

    it('keeps the object when an upload claims it between the collector\'s reference check and its compare-and-set, even before its version exists', async () => {
      // Other orphans of earlier tests go first, so this run's count is this blob's alone.
      await blobs().collect({ now: future() });
      const { bytes, blob } = await orphan('claimed before the CAS');
      const target = await newAsset('Claims before the CAS');
      // The commit is held right after its claim, before its version insert: the narrowest gap there is. Only
      // the compare-and-set on claimedAt stops the collector here (its reference re-check finds no version yet).
      const service = blobs();
      const claim = service.claim.bind(service);
      let claimed!: () => void;
      const hasClaimed = new Promise<void>((r) => (claimed = r));
      let letGo!: () => void;
      const gate = new Promise<void>((r) => (letGo = r));
      service.claim = async (...args) => {
        const c = await claim(...args);
        claimed();
        await gate;
        return c;
      };
      let committing: ReturnType<typeof upload> | undefined;
      try {
        const run = await service.collect({
          now: future(),
          hooks: {
            afterCheck: async (b) => {
              if (b.key !== blob.key) return;
              committing = upload(target.id, bytes, 'again.fbx');
              await hasClaimed;
            },
          },
        });
        expect(run.removed).toBe(0);
      } finally {
        letGo();
        service.claim = claim;
      }
      expect((await committing!).version).toBe(1);
      expect(await h.container.models.Blob.findById(blob._id).lean()).toMatchObject({ state: 'live', key: blob.key });
      // The upload reused the held object, and the collector's compare-and-set failed on the new claim.
      expect(await keyOf(target.id)).toBe(blob.key);
      expect(await storage().exists(blob.key)).toBe(true);
      expect(await downloadSha(target.id)).toBe(hex(bytes));
      await everyVersionHasItsObject();
    });

    it('stores the upload\'s own object when the collector has already marked the held one for deletion', async () => {
      const { bytes, blob } = await orphan('claimed after the CAS');
      const target = await newAsset('Claims after the CAS');
      let state: string | undefined;
      await blobs().collect({
        now: future(),
        hooks: {
          afterMark: async (b) => {
            if (b.key !== blob.key) return;
            state = (await h.container.models.Blob.findById(b._id).lean())?.state;
            await upload(target.id, bytes, 'again.fbx');
          },
        },
      });
      expect(state).toBe('deleting');
      const key = await keyOf(target.id);
      expect(key).not.toBe(blob.key);
      expect(await storage().exists(blob.key)).toBe(false);
      expect(await storage().exists(key)).toBe(true);
      expect(await downloadSha(target.id)).toBe(hex(bytes));
      expect(await h.container.models.Blob.find({ studioId: new Types.ObjectId(s.user.studioId), sha256: hex(bytes) }).lean()).toEqual([expect.objectContaining({ key, state: 'live' })]);
      await everyVersionHasItsObject();
    });

    it('finishes a removal a crashed collector left half-done', async () => {
      const { blob } = await orphan('crashed collector');
      await h.container.models.Blob.updateOne({ _id: blob._id }, { $set: { state: 'deleting' } });
      // Within the grace period: a 'deleting' blob is finished regardless.
      expect((await blobs().collect()).removed).toBe(1);
      expect(await storage().exists(blob.key)).toBe(false);
      expect(await h.container.models.Blob.countDocuments({ _id: blob._id })).toBe(0);
    });

    it('never deletes a referenced object over rounds of concurrent collection and uploads', async () => {
      const bytes = FBX('randomized rounds');
      let n = 0;
      for (let round = 0; round < 12; round++) {
        const assets = [await newAsset(`Round ${round} a`), await newAsset(`Round ${round} b`)];
        // Half the rounds start from an orphaned object, half from a referenced one.
        if (round % 2 === 0) {
          const gone = await newAsset(`Round ${round} gone`);
          await upload(gone.id, bytes, 'r.fbx');
          await purge(gone.id);
        }
        const jitter = () => new Promise<void>((r) => setTimeout(r, Math.floor(Math.random() * 15)));
        const results = await Promise.allSettled([
          (async () => {
            await jitter();
            return blobs().collect({ now: future(), hooks: { afterCheck: jitter, afterMark: jitter } });
          })(),
          ...assets.map(async (a) => {
            await jitter();
            return upload(a.id, bytes, `r${n++}.fbx`);
          }),
        ]);
        expect(results.slice(1).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
        await everyVersionHasItsObject();
        // Sometimes the round's uploads go too, so the next round may find an orphan again.
        if (round % 3 === 2) for (const a of assets) await purge(a.id);
      }
      for (const a of (await h.http.get('/assets?limit=100').set(s.auth)).body.data as Array<{ id: string; name: string }>) {
        if (a.name.startsWith('Round ')) await purge(a.id);
      }
      await blobs().collect({ now: future() });
      await everyVersionHasItsObject();
      // Nothing of the rounds is left: every object of these bytes went with its last version.
      expect(await h.container.models.Blob.countDocuments({ studioId: new Types.ObjectId(s.user.studioId), sha256: hex(bytes) })).toBe(0);
    }, 120_000);
  });
});

describe('direct uploads and dedup (S3)', () => {
  let h: Harness;
  let s: Session;
  const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  const png = async (seed: number) => Buffer.concat([PNG_HEAD, Buffer.alloc(5000), await bufferOf(generated(MiB, seed))]);

  beforeAll(async () => {
    h = await startHarness({ STORAGE_DRIVER: 's3', RATE_LIMIT_MAX: '100000', STORAGE_GC_INTERVAL_SECONDS: '0' });
    s = await givenStudio(h);
  });
  afterAll(() => h.close());

  const newAsset = async (name: string) => (await h.http.post('/assets').set(s.auth).send({ name, type: 'TEXTURE' }).expect(201)).body as { id: string };
  /** A one-part direct upload of `bytes` claiming `claimed` as the whole file's sha256. */
  async function direct(assetId: string, bytes: Buffer, claimed: string) {
    const started = await h.http.post(`/assets/${assetId}/uploads`).set(s.auth).send({ fileName: 'plate.png', size: bytes.length, sha256: claimed, partSize: bytes.length, partSha256: [hex(bytes)] });
    expect(started.status).toBe(201);
    const part = started.body.parts[0] as { url: string; checksumSha256: string };
    expect((await fetch(part.url, { method: 'PUT', body: bytes, headers: { 'x-amz-checksum-sha256': part.checksumSha256 } })).status).toBe(200);
    const done = await h.http.post(`/assets/${assetId}/uploads/${started.body.id}/complete`).set(s.auth);
    expect(done.status).toBe(201);
    return (await h.container.models.AssetVersion.findOne({ assetId: new Types.ObjectId(assetId), version: 1 }).lean())!.file.key;
  }
  const validated = (assetId: string) =>
    waitFor('the pipeline\'s re-hash', async () => {
      const p = await h.container.models.AssetPipeline.findOne({ assetId: new Types.ObjectId(assetId) }).lean();
      return p?.steps.some((x) => x.name === 'VALIDATING' && x.status !== 'RUNNING') ? p : undefined;
    });
  const streamed = async (bytes: Buffer) => {
    const a = await newAsset(`Streamed ${hex(bytes).slice(0, 8)} ${Math.random()}`);
    expect((await h.http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', bytes, 'plate.png')).status).toBe(201);
    return { id: a.id, key: (await h.container.models.AssetVersion.findOne({ assetId: new Types.ObjectId(a.id) }).lean())!.file.key };
  };

  it('makes a direct upload a dedup target only once the pipeline has re-hashed its bytes', async () => {
    const bytes = await png(31);
    const sha = hex(bytes);
    const a = await newAsset('Direct honest');
    const key = await direct(a.id, bytes, sha);
    expect((await h.http.head(`/blobs/${sha}`).set(s.auth)).status).toBe(404);
    const worker = await pipelineWorkerFor(h);
    try {
      const p = await validated(a.id);
      expect(p.steps.find((x) => x.name === 'VALIDATING')?.status).toBe('DONE');
    } finally {
      await worker.close();
    }
    expect((await h.http.head(`/blobs/${sha}`).set(s.auth)).status).toBe(200);
    expect((await streamed(bytes)).key).toBe(key);
  }, 120_000);

  it('never hands out a direct upload whose claimed sha256 is a lie', async () => {
    const wanted = await png(32);
    const sent = await png(33);
    const a = await newAsset('Direct liar');
    const lie = await direct(a.id, sent, hex(wanted));
    expect((await h.http.head(`/blobs/${hex(wanted)}`).set(s.auth)).status).toBe(404);
    const worker = await pipelineWorkerFor(h);
    try {
      const p = await validated(a.id);
      expect(p.error?.code).toBe('STORED_OBJECT_CORRUPT');
    } finally {
      await worker.close();
    }
    expect((await h.http.head(`/blobs/${hex(wanted)}`).set(s.auth)).status).toBe(404);
    // The honest upload of those bytes stores its own object and downloads exactly them.
    const honest = await streamed(wanted);
    expect(honest.key).not.toBe(lie);
    expect(await downloadedSha(`${await h.listen()}/assets/${honest.id}/download`, s.accessToken)).toBe(hex(wanted));
  }, 120_000);
});

describe('the blobs backfill migration', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ STORAGE_GC_INTERVAL_SECONDS: '0' });
  });
  afterAll(() => h.close());

  it('registers one dedup target per (studio, sha256), keeps duplicates and unverified direct uploads private, and converges on a re-run', async () => {
    const db = h.container.mongo.db!;
    const studio = new Types.ObjectId();
    const asset = new Types.ObjectId();
    const user = new Types.ObjectId();
    const version = (n: number, key: string, sha: string) => ({ studioId: studio, assetId: asset, version: n, file: { key, size: 10 + n, sha256: sha, mimeType: 'model/fbx', originalName: 'a.fbx', verified: true }, changeNote: '', createdBy: user, createdAt: new Date() });
    const [x, y] = ['a'.repeat(64), 'b'.repeat(64)];
    await db.collection('assetversions').insertMany([version(1, 'k1', x), version(2, 'k2', x), version(3, 'k3', y), version(4, 'k4', 'c'.repeat(64))]);
    // v4 came from a direct upload whose sha256 the pipeline never verified.
    await db.collection('uploadsessions').insertOne({ studioId: studio, assetId: asset, key: 'k4', status: 'COMPLETED' });
    await db.collection('assetpipelines').insertOne({ studioId: studio, assetId: asset, version: 4, status: 'UPLOADED' });

    await runMigrations(h.container.mongo, h.container.locks);
    const read = async () => (await db.collection('blobs').find({ studioId: studio }).sort({ key: 1 }).toArray()).map((b) => [b.key, b.address, b.state, b.size]);
    expect(await read()).toEqual([
      ['k1', `sha256:${x}`, 'live', 11],
      ['k2', 'object:k2', 'live', 12],
      ['k3', `sha256:${y}`, 'live', 13],
      ['k4', 'object:k4', 'live', 14],
    ]);
    const after = await read();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const migration = require('../migrations/20261202000000-blobs-backfill.js') as { up(db: unknown): Promise<void> };
    await db.collection('migration_progress').deleteMany({});
    await migration.up(db);
    expect(await read()).toEqual(after);
    // The collector sees them like any other blob: the duplicate's object is referenced, so it stays.
    expect(await h.container.services.blobs.usage(String(studio))).toEqual({ objects: 4, bytes: 11 + 12 + 13 + 14 });
  });
});

describe('content-addressed storage query shapes have an index', () => {
  // [shape, schema, the filter's equality fields an index must lead with, its range fields, its sort]
  const cases: Array<[string, import('mongoose').Schema, string[], string[], Record<string, 1 | -1>]> = [
    // BlobRepository.claim / findLive / findByAddress: { studioId, address, state? }, unique on the first two
    ['claim by address', blobSchema, ['studioId', 'address'], [], {}],
    // BlobRepository.findByKey / promote / markDeleting's { studioId, key | _id, ... }
    ['by key', blobSchema, ['studioId', 'key'], [], {}],
    // BlobRepository.idle: the collector's scan { state: 'live', claimedAt: { $lt } } by claimedAt
    ['idle blobs', blobSchema, ['state'], [], { claimedAt: 1 }],
    // BlobRepository.deleting: { state: 'deleting' } by claimedAt
    ['half-removed blobs', blobSchema, ['state'], [], { claimedAt: 1 }],
    // BlobRepository.usage: $match { studioId }
    ['usage', blobSchema, ['studioId'], [], {}],
    // VersionRepository.referencesKey: the collector's reference check
    ['references to a key', assetVersionSchema, ['studioId', 'file.key'], [], {}],
    // VersionRepository.forAsset / deleteForAsset
    ['versions of an asset', assetVersionSchema, ['studioId', 'assetId'], [], { version: -1 }],
    // PipelineRepository.forAsset / deleteForAsset
    ['pipelines of an asset', assetPipelineSchema, ['studioId', 'assetId'], [], { version: 1 }],
  ];

  it.each(cases)('serves %s from a declared index', (shape, schema, equality, range, sort) => {
    const index = servingIndex(indexKeys(schema), equality, range, sort);
    expect({ shape, index: index?.map(([k]) => k) ?? null }).toEqual({ shape, index: expect.any(Array) });
  });
});
