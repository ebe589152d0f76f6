// Uploads in progress reserve their size against the studio's quota (issue 27, finding 9): a direct session or a
// tus upload is refused (507) before any byte when the quota cannot hold it beside usage and the other open uploads;
// the commit turns the reservation into usage once, and an abort, a termination, a refused finish or the sweep
// (expiry, or what an instance that died mid-way left) gives it back once. Per studio, open uploads and what they
// reserve are capped (429) with or without a quota, so staged bytes cannot fill the shared disk.
import { createHash, randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { Types } from 'mongoose';
import { startHarness, STORAGE_DRIVERS, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { bufferOf, generated, stagedUploads, tusRequest, type RawResponse } from './support/uploads';
import { S3StorageProvider } from '../src/infra/storage/S3StorageProvider';
import { uploadReservationSchema } from '../src/app/repositories/models/UploadReservation';
import { indexKeys, servingIndex } from './support/indexCoverage';
import { waitFor } from './support/workers';

const KiB = 1024;
const MiB = 1024 * KiB;
const HOUR = 3_600_000;
const OPERATOR_TOKEN = 'operator-token-for-upload-reservations-0123';
const PNG_HEAD = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Usage {
  logical: { bytes: number; versions: number };
  reserved: { bytes: number; uploads: number };
  quota: { bytes: number | null };
  remainingBytes: number | null;
}

/** A PNG-headed file of `size` bytes (at most one 5 MiB part), as a direct upload announces it. */
async function pngOf(size: number, seed: number): Promise<Buffer> {
  return Buffer.concat([PNG_HEAD, Buffer.alloc(5000), await bufferOf(generated(size - PNG_HEAD.length - 5000, seed))]);
}

// Small caps, so that they can be reached: four open uploads, 12 MiB reserved per studio (MAX_UPLOAD_BYTES is 8 MiB).
const CAPS = { UPLOADS_MAX_OPEN_PER_STUDIO: '4', UPLOADS_MAX_RESERVED_BYTES_PER_STUDIO: '12mib', MAX_UPLOAD_BYTES: '8mib' };

describe.each(STORAGE_DRIVERS)('upload reservations (%s storage)', (driver, driverOverrides) => {
  const overrides = { ...driverOverrides, ...CAPS, RATE_LIMIT_MAX: '100000', OPERATOR_TOKEN, TUS_S3_PART_SIZE: '5mib' };
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness(overrides);
    base = await h.listen();
  });
  afterAll(() => h.close());

  const newAsset = async (s: Session, name: string) => (await h.http.post('/assets').set(s.auth).send({ name, type: 'TEXTURE' }).expect(201)).body as { id: string };
  const usage = async (s: Session) => (await h.http.get('/storage/usage').set(s.auth).expect(200)).body as Usage;
  const setQuota = (s: Session, quotaBytes: number | null) => h.http.put(`/admin/studios/${s.user.studioId}/storage-quota`).set({ Authorization: `Bearer ${OPERATOR_TOKEN}` }).send({ quotaBytes }).expect(200);
  const tusCreate = (s: Session, assetId: string, length: number | 'deferred', at = base) =>
    tusRequest(`${at}/uploads`, 'POST', {
      Authorization: `Bearer ${s.accessToken}`,
      ...(length === 'deferred' ? { 'Upload-Defer-Length': 1 } : { 'Upload-Length': length }),
      'Upload-Metadata': `assetId ${b64(assetId)},filename ${b64('layout.obj')}`,
    });
  const tusPatch = (s: Session, location: string, body: Buffer) =>
    tusRequest(`${base}${location}`, 'PATCH', { Authorization: `Bearer ${s.accessToken}`, 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' }, body);
  const tusDelete = (s: Session, location: string) => tusRequest(`${base}${location}`, 'DELETE', { Authorization: `Bearer ${s.accessToken}` });
  const directStart = (s: Session, assetId: string, file: Buffer, via = h) =>
    via.http.post(`/assets/${assetId}/uploads`).set(s.auth).send({ fileName: 'plate.png', size: file.length, sha256: hex(file), partSize: 5 * MiB, partSha256: [hex(file)] });
  const putPart = (session: { parts: Array<{ url: string; checksumSha256: string }> }, file: Buffer) =>
    fetch(session.parts[0]!.url, { method: 'PUT', body: file, headers: { 'x-amz-checksum-sha256': session.parts[0]!.checksumSha256 } });
  const staged = async (s: Session) => (await stagedUploads(h)).filter((id) => id.startsWith(`${s.user.studioId}-`));
  const errorOf = (r: RawResponse) => (JSON.parse(r.body) as { error: { code: string; message: string } }).error;
  const reservations = (s: Session) => h.container.models.UploadReservation.countDocuments({ studioId: new Types.ObjectId(s.user.studioId) });

  /** A 507 at creation says what is used and what is reserved, in words (no API paths), and what to do. */
  const expectQuotaRefusal = (error: { code: string; message: string }, reserved: string) => {
    expect(error.code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect(error.message).toContain(`${reserved} reserved by 1 upload in progress. Nothing was stored. Finish or cancel uploads in progress`);
    expect(error.message).not.toMatch(/\/storage|\/uploads|GET |POST /);
  };

  it('reserves each tus upload\'s length at creation: with a 4 MiB quota, of six 4 MiB uploads created at once one opens and five get 507 before any byte', async () => {
    const s = await givenStudio(h);
    const a = await newAsset(s, 'Plates');
    await setQuota(s, 4 * MiB);
    const created = await Promise.all(Array.from({ length: 6 }, () => tusCreate(s, a.id, 4 * MiB)));
    expect(created.map((r) => r.status).sort()).toEqual([201, 507, 507, 507, 507, 507]);
    for (const r of created.filter((x) => x.status === 507)) expectQuotaRefusal(errorOf(r), '4.0 MiB (4194304 bytes)');
    expect(await staged(s)).toHaveLength(1);
    expect(await usage(s)).toMatchObject({ logical: { bytes: 0, versions: 0 }, reserved: { bytes: 4 * MiB, uploads: 1 }, remainingBytes: 0 });
    // The room is held for the open upload: a streamed upload of a few bytes does not fit either.
    const streamed = await h.http.post(`/assets/${a.id}/versions`).set(s.auth).attach('file', Buffer.from('v 0 0 0\n'), 'small.obj');
    expect([streamed.status, streamed.body.error.code]).toEqual([507, 'STORAGE_QUOTA_EXCEEDED']);

    // The open upload completes: its reservation becomes its usage, counted once.
    const open = created.find((r) => r.status === 201)!;
    expect((await tusPatch(s, open.headers.location!, await bufferOf(generated(4 * MiB, 1)))).status).toBe(200);
    expect(await usage(s)).toMatchObject({ logical: { bytes: 4 * MiB, versions: 1 }, reserved: { bytes: 0, uploads: 0 }, remainingBytes: 0 });
    expect(await staged(s)).toEqual([]);
  });

  it('gives a tus upload\'s reservation back when it is terminated, refused at its finish or expired: remainingBytes is restored each time', async () => {
    const s = await givenStudio(h);
    const a = await newAsset(s, 'Layouts');
    await setQuota(s, 4 * MiB);
    const expectFree = async () => expect(await usage(s)).toMatchObject({ reserved: { bytes: 0, uploads: 0 }, remainingBytes: 4 * MiB });

    const terminated = await tusCreate(s, a.id, 3 * MiB);
    expect(terminated.status).toBe(201);
    expect((await usage(s)).remainingBytes).toBe(MiB);
    expect((await tusDelete(s, terminated.headers.location!)).status).toBe(204);
    await expectFree();

    // Fitted when created; the operator lowered the quota before the last byte: the finish is refused, and gives back.
    const refused = await tusCreate(s, a.id, 3 * MiB);
    await setQuota(s, 2 * MiB);
    const finished = await tusPatch(s, refused.headers.location!, await bufferOf(generated(3 * MiB, 2)));
    expect([finished.status, errorOf(finished).code]).toEqual([507, 'STORAGE_QUOTA_EXCEEDED']);
    expect(await usage(s)).toMatchObject({ logical: { bytes: 0 }, reserved: { bytes: 0, uploads: 0 }, remainingBytes: 2 * MiB });
    await setQuota(s, 4 * MiB);

    // Abandoned: the sweep keeps it until it expires (TUS_EXPIRATION_HOURS), then removes its bytes and gives back.
    const abandoned = await tusCreate(s, a.id, MiB);
    // (Other tests' uploads share this deployment, so what is checked is this studio's usage, not the sweep's counts.)
    await h.container.sweepUploads(new Date(Date.now() + HOUR));
    expect((await usage(s)).reserved).toEqual({ bytes: MiB, uploads: 1 });
    await h.container.sweepUploads(new Date(Date.now() + 25 * HOUR));
    await expectFree();
    expect(await staged(s)).toEqual([]);
    expect([404, 410]).toContain((await tusRequest(`${base}${abandoned.headers.location!}`, 'HEAD', { Authorization: `Bearer ${s.accessToken}` })).status);
  });

  it('reserves the largest file allowed for a tus upload of undeclared length: refused under a quota that cannot hold it, with what to do', async () => {
    const s = await givenStudio(h);
    const a = await newAsset(s, 'Streams');
    await setQuota(s, 4 * MiB);
    const refused = await tusCreate(s, a.id, 'deferred');
    expect(refused.status).toBe(507);
    expect(errorOf(refused).message).toMatch(/^This upload needs 8\.0 MiB .*An upload that does not declare its length reserves the largest file allowed; declare the length when you start it\. Nothing was stored\./);
    expect(await staged(s)).toEqual([]);

    await setQuota(s, null);
    const open = await tusCreate(s, a.id, 'deferred');
    expect(open.status).toBe(201);
    expect((await usage(s)).reserved).toEqual({ bytes: 8 * MiB, uploads: 1 });
    expect((await tusDelete(s, open.headers.location!)).status).toBe(204);
    expect((await usage(s)).reserved).toEqual({ bytes: 0, uploads: 0 });
  });

  it('caps a studio\'s open uploads and what they reserve, quota or not: past either, a creation is 429 TOO_MANY_OPEN_UPLOADS and nothing is staged', async () => {
    const s = await givenStudio(h);
    const other = await givenStudio(h);
    const a = await newAsset(s, 'Many');
    // Direct sessions and tus uploads share the cap where both exist.
    const opened: Array<() => Promise<unknown>> = [];
    for (let i = 0; i < 4; i++) {
      if (driver === 's3' && i % 2) {
        const session = (await directStart(s, a.id, await pngOf(MiB, 10 + i)).expect(201)).body as { id: string };
        opened.push(() => h.http.delete(`/assets/${a.id}/uploads/${session.id}`).set(s.auth).expect(204));
      } else {
        const created = await tusCreate(s, a.id, MiB);
        expect(created.status).toBe(201);
        opened.push(() => tusDelete(s, created.headers.location!));
      }
    }
    const fifth = await tusCreate(s, a.id, MiB);
    expect([fifth.status, fifth.headers['retry-after']]).toEqual([429, '60']);
    expect(errorOf(fifth)).toMatchObject({ code: 'TOO_MANY_OPEN_UPLOADS', message: 'Your studio has 4 uploads in progress, the most it may have at once. Finish or cancel some of them, then try again; an abandoned upload is cancelled once it expires.' });
    if (driver === 's3') {
      const direct = await directStart(s, a.id, await pngOf(MiB, 20));
      expect([direct.status, direct.body.error.code]).toEqual([429, 'TOO_MANY_OPEN_UPLOADS']);
    }
    expect(await staged(s)).toHaveLength(driver === 's3' ? 2 : 4);
    // Another studio's uploads are its own.
    expect((await tusCreate(other, await newAsset(other, 'Theirs').then((x) => x.id), MiB)).status).toBe(201);
    // One ends: there is room for one more.
    await opened.pop()!();
    expect((await tusCreate(s, a.id, MiB)).status).toBe(201);

    // The bytes cap: 12 MiB at once per studio with no quota at all.
    const big = await givenStudio(h);
    const b = await newAsset(big, 'Big');
    expect((await tusCreate(big, b.id, 8 * MiB)).status).toBe(201);
    const over = await tusCreate(big, b.id, 5 * MiB);
    expect([over.status, errorOf(over).code]).toEqual([429, 'TOO_MANY_OPEN_UPLOADS']);
    expect(errorOf(over).message).toMatch(/^This upload needs 5\.0 MiB .* but your studio's 1 upload in progress already reserve 8\.0 MiB .* of the 12\.0 MiB .* one studio may upload at once\./);
    expect((await usage(big)).reserved).toEqual({ bytes: 8 * MiB, uploads: 1 });
  });

  it('releases what an instance that died mid-way left reserved (reserved, then no upload was made) once due, and keeps a live upload\'s', async () => {
    const s = await givenStudio(h);
    const a = await newAsset(s, 'Crash');
    // What the instance did before it died: the reservation, for an upload the store never created.
    await h.container.services.storageUsage.reserveUpload(s.user.studioId, { kind: 'tus', uploadId: `${s.user.studioId}-${randomBytes(16).toString('hex')}`, bytes: 2 * MiB, expiresAt: new Date(Date.now() + 24 * HOUR) });
    const live = await tusCreate(s, a.id, MiB);
    expect((await usage(s)).reserved).toEqual({ bytes: 3 * MiB, uploads: 2 });
    // Not due yet: an instance may still be between reserving and creating.
    expect((await h.container.sweepUploads(new Date())).reservations).toBe(0);
    expect((await h.container.sweepUploads(new Date(Date.now() + 11 * 60_000))).reservations).toBe(1);
    expect((await usage(s)).reserved).toEqual({ bytes: MiB, uploads: 1 });
    // The live one is looked at again only at its expiry.
    expect((await h.container.sweepUploads(new Date(Date.now() + 12 * 60_000))).reservations).toBe(0);
    expect((await tusPatch(s, live.headers.location!, await bufferOf(generated(MiB, 3)))).status).toBe(200);
    expect(await usage(s)).toMatchObject({ logical: { bytes: MiB, versions: 1 }, reserved: { bytes: 0, uploads: 0 } });
    expect(await reservations(s)).toBe(0);

    if (driver === 'local') {
      // The store fails to create the upload after its reservation (its directory is not one): the refusal gives
      // the reservation back at once, without waiting for the sweep.
      const dir = h.config.TUS_STAGING_DIR;
      renameSync(dir, `${dir}.away`);
      writeFileSync(dir, '');
      try {
        const failed = await tusCreate(s, a.id, MiB);
        expect(failed.status).toBeGreaterThanOrEqual(500);
        await waitFor('the failed creation to give its reservation back', async () => (await reservations(s)) === 0, 5000, 20);
      } finally {
        rmSync(dir);
        renameSync(`${dir}.away`, dir);
      }
      expect((await usage(s)).reserved).toEqual({ bytes: 0, uploads: 0 });
    }
  });

  it('lets creations racing for the last bytes of the quota, on two API instances, reserve only as many as fit', async () => {
    const second = await startHarness(overrides, {}, h.identity);
    try {
      const base2 = await second.listen();
      const s = await givenStudio(h);
      const a = await newAsset(s, 'Race');
      await setQuota(s, 3 * MiB + MiB / 2);
      const file = await pngOf(MiB, 30);
      // Half through each instance (nothing shared but the database, Redis and storage); on S3 half are direct sessions.
      const results = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const via = i % 2 ? second : h;
          if (driver === 's3' && i % 4 >= 2) return (await directStart(s, a.id, file, via)).status;
          return (await tusCreate(s, a.id, MiB, i % 2 ? base2 : base)).status;
        }),
      );
      expect(results.sort()).toEqual([201, 201, 201, 507, 507, 507, 507, 507]);
      expect(await usage(s)).toMatchObject({ reserved: { bytes: 3 * MiB, uploads: 3 }, remainingBytes: MiB / 2 });
      expect(await reservations(s)).toBe(3);
    } finally {
      await second.close();
    }
  });

  if (driver === 's3') {
    const s3 = () => h.container.storage as S3StorageProvider;

    it('reserves each direct session\'s size at its start: of six 4 MiB sessions against a 4 MiB quota one opens; abort, completion and expiry each settle it once', async () => {
      const s = await givenStudio(h);
      const a = await newAsset(s, 'Direct');
      await setQuota(s, 4 * MiB);
      const file = await pngOf(4 * MiB, 40);
      const started = await Promise.all(Array.from({ length: 6 }, () => directStart(s, a.id, file)));
      expect(started.map((r) => r.status).sort()).toEqual([201, 507, 507, 507, 507, 507]);
      for (const r of started.filter((x) => x.status === 507)) expectQuotaRefusal(r.body.error, '4.0 MiB (4194304 bytes)');
      // Refused before S3 heard of them: one multipart upload, one session.
      expect(await s3().inProgress(`studios/${s.user.studioId}/`)).toHaveLength(1);
      expect(await h.container.models.UploadSession.countDocuments({ assetId: new Types.ObjectId(a.id) })).toBe(1);
      const first = started.find((r) => r.status === 201)!.body as { id: string };
      expect(await usage(s)).toMatchObject({ reserved: { bytes: 4 * MiB, uploads: 1 }, remainingBytes: 0 });

      // Abort gives it back; aborting again gives back nothing more (the next session keeps its own).
      await h.http.delete(`/assets/${a.id}/uploads/${first.id}`).set(s.auth).expect(204);
      expect(await usage(s)).toMatchObject({ reserved: { bytes: 0, uploads: 0 }, remainingBytes: 4 * MiB });
      const second = (await directStart(s, a.id, file).expect(201)).body as { id: string; parts: Array<{ url: string; checksumSha256: string }> };
      await h.http.delete(`/assets/${a.id}/uploads/${first.id}`).set(s.auth).expect(204);
      expect(await usage(s)).toMatchObject({ reserved: { bytes: 4 * MiB, uploads: 1 }, remainingBytes: 0 });

      // Completion turns it into usage, once, however often it is asked.
      expect((await putPart(second, file)).status).toBe(200);
      await h.http.post(`/assets/${a.id}/uploads/${second.id}/complete`).set(s.auth).expect(201);
      expect(await usage(s)).toMatchObject({ logical: { bytes: 4 * MiB, versions: 1 }, reserved: { bytes: 0, uploads: 0 }, remainingBytes: 0 });
      expect((await h.http.post(`/assets/${a.id}/uploads/${second.id}/complete`).set(s.auth)).status).toBe(409);
      await h.http.delete(`/assets/${a.id}/uploads/${second.id}`).set(s.auth);
      expect(await usage(s)).toMatchObject({ logical: { bytes: 4 * MiB, versions: 1 }, reserved: { bytes: 0, uploads: 0 }, remainingBytes: 0 });

      // Expiry: the sweep aborts the session and gives back.
      await setQuota(s, 8 * MiB);
      const abandoned = (await directStart(s, a.id, file).expect(201)).body as { id: string };
      expect((await usage(s)).remainingBytes).toBe(0);
      await h.container.sweepUploads(new Date(Date.now() + 25 * HOUR));
      expect(await usage(s)).toMatchObject({ reserved: { bytes: 0, uploads: 0 }, remainingBytes: 4 * MiB });
      expect((await h.http.get(`/assets/${a.id}/uploads/${abandoned.id}`).set(s.auth)).body).toMatchObject({ status: 'ABORTED', endReason: 'EXPIRED' });
    });

    it('releases a direct session\'s reservation left by a crash (reserved but never inserted; ended but not released) and keeps an open one\'s', async () => {
      const s = await givenStudio(h);
      const a = await newAsset(s, 'Direct crash');
      const file = await pngOf(MiB, 50);
      await h.container.services.storageUsage.reserveUpload(s.user.studioId, { kind: 'direct', uploadId: String(new Types.ObjectId()), bytes: MiB, expiresAt: new Date(Date.now() + 24 * HOUR) });
      const ended = (await directStart(s, a.id, file).expect(201)).body as { id: string };
      // What abort() wrote before its instance died, short of the release.
      await h.container.models.UploadSession.updateOne({ _id: ended.id }, { $set: { status: 'ABORTED', endReason: 'ABORTED_BY_CLIENT' } });
      const open = (await directStart(s, a.id, file).expect(201)).body as { id: string };
      expect((await usage(s)).reserved).toEqual({ bytes: 3 * MiB, uploads: 3 });
      expect((await h.container.sweepUploads(new Date(Date.now() + 11 * 60_000))).reservations).toBe(2);
      expect((await usage(s)).reserved).toEqual({ bytes: MiB, uploads: 1 });
      expect((await h.http.get(`/assets/${a.id}/uploads/${open.id}`).set(s.auth)).body.status).toBe('OPEN');
    });
  }
});

describe('upload reservation query shapes', () => {
  it('sums a studio\'s reservations and finds those due a sweep from declared indexes', () => {
    const indexes = indexKeys(uploadReservationSchema);
    expect(servingIndex(indexes, ['studioId'], [], {})).toEqual([['studioId', 1]]);
    expect(servingIndex(indexes, [], [], { checkAt: 1 })).toEqual([['checkAt', 1]]);
  });
});
