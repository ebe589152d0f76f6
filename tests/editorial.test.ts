// Editorial import from OpenTimelineIO and CSV: a dry run first (nothing stored), then an idempotent apply
// keyed by (project, shot code); re-imports converge, an edited cut touches only the shots it changed, and a
// malformed file is refused whole with its problems located. The cut goes back out as OTIO.
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';
import { EDITORIAL_MAX_BYTES, csvRecords } from '../src/app/services/editorial';
import { MAX_BYTES as WEB_MAX_BYTES } from '../web/src/editorial/report';

const NTSC = 24000 / 1001;
const rt = (value: number, rate = NTSC) => ({ OTIO_SCHEMA: 'RationalTime.1', rate, value });
const range = (start: number, duration: number, rate = NTSC) => ({ OTIO_SCHEMA: 'TimeRange.1', start_time: rt(start, rate), duration: rt(duration, rate) });

interface Clip {
  name: string;
  start: number;
  duration: number;
}

/** 3 sequences × 40 shots, each sequence after a 12-frame gap, as an editor's tool would write it. */
function cut(): Clip[] {
  return Array.from({ length: 120 }, (_, i) => ({ name: `SQ0${Math.floor(i / 40) + 1}0_SH${String((i % 40) + 1).padStart(3, '0')}0`, start: 1001 + (i % 7), duration: 24 + (i % 13) }));
}

function otio(clips: Clip[], extra: unknown[] = []) {
  const children: unknown[] = [];
  let seq = '';
  for (const c of clips) {
    const s = c.name.split('_')[0]!;
    if (s !== seq) {
      children.push({ OTIO_SCHEMA: 'Gap.1', name: '', source_range: range(0, 12) });
      seq = s;
    }
    children.push({ OTIO_SCHEMA: 'Clip.2', name: c.name, source_range: range(c.start, c.duration), media_references: {}, metadata: {} });
  }
  children.push(...extra);
  return { OTIO_SCHEMA: 'Timeline.1', name: 'Reel 1', global_start_time: null, tracks: { OTIO_SCHEMA: 'Stack.1', name: 'tracks', children: [{ OTIO_SCHEMA: 'Track.1', name: 'V1', kind: 'Video', children }] } };
}

/** Where each clip should land: record ranges follow the gaps and the durations before it. */
function expected(clips: Clip[]) {
  let position = 0;
  let seq = '';
  return clips.map((c) => {
    const s = c.name.split('_')[0]!;
    if (s !== seq) {
      position += 12;
      seq = s;
    }
    const row = { code: c.name, frameIn: c.start, frameOut: c.start + c.duration - 1, recordIn: position, recordOut: position + c.duration - 1 };
    position += c.duration;
    return row;
  });
}

describe('editorial import and export', () => {
  let h: Harness;
  let producer: Session;
  let projectId: string;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
    projectId = (await h.http.post('/projects').set(producer.auth).send({ name: 'Reel', code: 'REEL', fps: { num: 24000, den: 1001 } }).expect(201)).body.id;
  });
  afterAll(async () => h.close());

  const send = (doc: unknown, dryRun: boolean) =>
    h.http.post(`/projects/${projectId}/editorial/import`).query({ format: 'otio', dryRun: String(dryRun) }).set(producer.auth).set('Content-Type', 'application/vnd.opentimelineio+json').send(JSON.stringify(doc));
  const shots = async () =>
    (await h.container.models.Shot.find({ projectId }).sort({ cutOrder: 1 }).lean()).map((s) => ({ code: s.code, frameIn: s.frameIn, frameOut: s.frameOut, recordIn: s.recordIn, recordOut: s.recordOut, status: s.status, revision: s.revision, fps: s.fps ?? null }));

  it('dry-runs, then imports 3 sequences and 120 shots into the right frame ranges; re-importing changes nothing', async () => {
    const clips = cut();
    const dry = await send(otio(clips), true).expect(200);
    expect(dry.body.sequences.new).toEqual(['SQ010', 'SQ020', 'SQ030']);
    expect(dry.body.shots.new).toHaveLength(120);
    expect(await h.container.models.Shot.countDocuments({ projectId })).toBe(0);

    await send(otio(clips), false).expect(200);
    const stored = await shots();
    expect(stored.map(({ code, frameIn, frameOut, recordIn, recordOut }) => ({ code, frameIn, frameOut, recordIn, recordOut }))).toEqual(expected(clips));
    expect(stored.every((s) => s.fps === null && s.status === 'ACTIVE')).toBe(true);
    const seqs = (await h.http.get(`/projects/${projectId}/sequences`).set(producer.auth).expect(200)).body.data;
    expect(seqs.map((s: { code: string }) => s.code)).toEqual(['SQ010', 'SQ020', 'SQ030']);
    const sq2 = (await h.http.get(`/sequences/${seqs[1].id}/shots`).query({ limit: 100 }).set(producer.auth).expect(200)).body.data;
    expect(sq2.map((s: { code: string }) => s.code)).toEqual(clips.slice(40, 80).map((c) => c.name));

    const again = await send(otio(clips), true).expect(200);
    expect(again.body.shots).toMatchObject({ new: [], removed: [], retimed: [], moved: [], unchanged: 120 });
    await send(otio(clips), false).expect(200);
    expect(await shots()).toEqual(stored);
  });

  it('an edited timeline updates only the changed shots and reports what a re-time affects', async () => {
    const before = await shots();
    const shot5 = (await h.container.models.Shot.findOne({ projectId, code: 'SQ010_SH0050' }).lean())!;
    const layout = (await h.http.get('/task-types').set(producer.auth).expect(200)).body.data.find((t: { name: string }) => t.name === 'Layout');
    const task = (await h.http.post('/tasks').set(producer.auth).send({ entityType: 'SHOT', entityId: String(shot5._id), taskTypeId: layout.id }).expect(201)).body;
    await h.http.post(`/assets/${String(shot5.assetId)}/versions`).set(producer.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'layout.fbx').expect(201);

    const clips = cut();
    clips[4]!.start += 10; // slipped: same length, other source frames
    clips[49]!.start += 10;
    clips[118]!.duration += 5; // trimmed longer: now the last clip, so nothing after it moves
    const edited = clips.slice(0, 119); // the last shot is cut out

    const dry = await send(otio(edited), true).expect(200);
    expect(dry.body.shots.retimed.map((r: { code: string }) => r.code)).toEqual(['SQ010_SH0050', 'SQ020_SH0100', 'SQ030_SH0390']);
    expect(dry.body.shots.removed).toEqual(['SQ030_SH0400']);
    expect(dry.body.shots.moved).toEqual([]);
    expect(dry.body.shots.unchanged).toBe(116);
    expect(dry.body.shots.retimed[0].affects).toEqual({ tasks: [{ id: task.id, name: task.name, status: 'TODO' }], versions: 1, renders: 0 });
    expect(dry.body.shots.retimed[0].from).toMatchObject({ frameIn: shot5.frameIn });
    expect(await shots()).toEqual(before);

    await send(otio(edited), false).expect(200);
    const after = await shots();
    const changed = after.filter((s, i) => JSON.stringify(s) !== JSON.stringify(before[i])).map((s) => s.code);
    expect(changed).toEqual(['SQ010_SH0050', 'SQ020_SH0100', 'SQ030_SH0390', 'SQ030_SH0400']);
    expect(after.find((s) => s.code === 'SQ030_SH0400')?.status).toBe('OMITTED');
    expect(after.find((s) => s.code === 'SQ010_SH0050')?.frameIn).toBe(shot5.frameIn + 10);
  });

  it('refuses a malformed file whole, saying where, and changes nothing', async () => {
    const before = await shots();
    const notJson = await h.http.post(`/projects/${projectId}/editorial/import`).query({ format: 'otio', dryRun: 'false' }).set(producer.auth).set('Content-Type', 'application/vnd.opentimelineio+json').send('{"OTIO_SCHEMA": "Timeline.1", ');
    expect(notJson.status).toBe(422);
    expect(notJson.body.error.code).toBe('EDITORIAL_INVALID');

    // Valid clips first (one of them new), then a clip with no source range and one at a rate no project uses.
    const broken = otio(cut().slice(0, 119), [
      { OTIO_SCHEMA: 'Clip.2', name: 'SQ030_SH9990', source_range: range(1001, 10) },
      { OTIO_SCHEMA: 'Clip.2', name: 'SQ030_SH9991' },
      { OTIO_SCHEMA: 'Clip.2', name: 'SQ030_SH9992', source_range: range(0, 10, 23.5) },
    ]);
    const res = await send(broken, false).expect(422);
    expect(res.body.error.details).toEqual([
      { path: 'item 124', message: 'clip "SQ030_SH9991" has no source_range' },
      { path: 'item 125', message: 'clip "SQ030_SH9992": source_range is not whole frames at a supported rate' },
    ]);
    expect(await shots()).toEqual(before);
  });

  it('exports the cut as OTIO, which imports back as no change', async () => {
    const res = await h.http.get(`/projects/${projectId}/editorial/export`).set(producer.auth).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/vnd\.opentimelineio\+json/);
    const doc = JSON.parse(res.text);
    const clips = doc.tracks.children[0].children.filter((c: { OTIO_SCHEMA: string }) => c.OTIO_SCHEMA === 'Clip.2');
    expect(clips).toHaveLength(119);
    expect(clips[0].source_range.start_time.rate).toBeCloseTo(NTSC, 12);
    const dry = await send(doc, true).expect(200);
    expect(dry.body.shots).toMatchObject({ new: [], removed: [], retimed: [], moved: [], unchanged: 119 });
  });

  it('finishes an apply that stopped half-way: the next run converges on the same shots, each with its backing asset', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Crash', code: 'CRASH' }).expect(201)).body;
    const csv = 'sequence,shot,frame_in,frame_out\nSQ1,K010,1,10\nSQ1,K020,1,20\nSQ1,K030,1,30\n';
    // What a crash after the sequence and the first shot's document (before its backing asset) leaves.
    const m = h.container.models;
    const seq = await m.Sequence.create({ studioId: producer.user.studioId, projectId: project.id, code: 'SQ1', codeLower: 'sq1', order: 10 });
    await m.Shot.create({ studioId: producer.user.studioId, projectId: project.id, sequenceId: seq._id, code: 'K010', codeLower: 'k010', cutOrder: 10, frameIn: 1, frameOut: 10, assetId: null });
    const run = () => h.http.post(`/projects/${project.id}/editorial/import`).query({ format: 'csv', dryRun: 'false' }).set(producer.auth).set('Content-Type', 'text/csv').send(csv).expect(200);
    await run();
    await run();
    const shots = await m.Shot.find({ projectId: project.id }).sort({ cutOrder: 1 }).lean();
    expect(shots.map((s) => [s.code, s.frameOut, s.cutOrder])).toEqual([['K010', 10, 10], ['K020', 20, 20], ['K030', 30, 30]]);
    const assets = await m.Asset.find({ _id: { $in: shots.map((s) => s.assetId) } }).lean();
    expect(assets.map((a) => String(a.shotId)).sort()).toEqual(shots.map((s) => String(s._id)).sort());
    expect(await m.Sequence.countDocuments({ projectId: project.id })).toBe(1);
  });

  it('imports a CSV with rational and decimal rates, reporting bad rows by line', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'CSV', code: 'CSV', fps: { num: 24, den: 1 } }).expect(201)).body;
    const csv = (text: string, dryRun = false) => h.http.post(`/projects/${project.id}/editorial/import`).query({ format: 'csv', dryRun: String(dryRun) }).set(producer.auth).set('Content-Type', 'text/csv').send(text);
    const bad = await csv('sequence,shot,frame_in,frame_out,fps\nSQ1,A010,1001,1040,24\nSQ1,A020,1001,990,24\nSQ1,A030,1001,1010,23.5\n').expect(422);
    expect(bad.body.error.details).toEqual([
      { path: 'line 3', message: 'frame_out is before frame_in' },
      { path: 'line 4', message: 'fps "23.5" is not a rate (24, 25, 24000/1001, 23.976)' },
    ]);
    expect(await h.container.models.Shot.countDocuments({ projectId: project.id })).toBe(0);
    await csv('sequence,shot,frame_in,frame_out,fps,description\nSQ1,A010,1001,1040,24,"wide, establishing"\nSQ1,A020,1001,1030,23.976,\nSQ2,B010,1,48,24000/1001,\n').expect(200);
    const stored = await h.container.models.Shot.find({ projectId: project.id }).sort({ cutOrder: 1 }).lean();
    expect(stored.map((s) => [s.code, s.fps ? `${s.fps.num}/${s.fps.den}` : null, s.description])).toEqual([
      ['A010', null, 'wide, establishing'],
      ['A020', '24000/1001', ''],
      ['B010', '24000/1001', ''],
    ]);
  });

  // The editorial screen (issue 28): what an import does to the work on the shots, and only what was previewed.
  it('names the work each omitted shot carries, and a shot that comes back into the cut', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Omit', code: 'OMIT', fps: { num: 24, den: 1 } }).expect(201)).body;
    const csv = (rows: string[], dryRun: boolean) =>
      h.http.post(`/projects/${project.id}/editorial/import`).query({ format: 'csv', dryRun: String(dryRun) }).set(producer.auth).set('Content-Type', 'text/csv').send(`sequence,shot,frame_in,frame_out\n${rows.join('\n')}\n`).expect(200);
    const all = ['SQ1,A010,1001,1040', 'SQ1,A020,1001,1030', 'SQ1,A030,1001,1050'];
    await csv(all, false);
    const a030 = (await h.container.models.Shot.findOne({ projectId: project.id, code: 'A030' }).lean())!;
    const lighting = (await h.http.get('/task-types').set(producer.auth).expect(200)).body.data.find((t: { name: string }) => t.name === 'Lighting');
    const task = (await h.http.post('/tasks').set(producer.auth).send({ entityType: 'SHOT', entityId: String(a030._id), taskTypeId: lighting.id }).expect(201)).body;
    await h.http.post(`/assets/${String(a030.assetId)}/versions`).set(producer.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'light.fbx').expect(201);

    const dry = (await csv(all.slice(0, 2), true)).body;
    expect(dry.shots.removed).toEqual(['A030']);
    expect(dry.shots.omitted).toEqual([{ code: 'A030', affects: { tasks: [{ id: task.id, name: task.name, status: 'TODO' }], versions: 1, renders: 0 } }]);
    await csv(all.slice(0, 2), false);
    expect((await h.container.models.Shot.findById(a030._id).lean())!.status).toBe('OMITTED');

    const back = (await csv(all, true)).body;
    expect(back.shots).toMatchObject({ new: [], removed: [], omitted: [], retimed: [], unchanged: 2 });
    expect(back.shots.moved).toEqual([{ code: 'A030', from: expect.objectContaining({ frameOut: 1050 }), to: expect.objectContaining({ frameOut: 1050 }), returning: true }]);
  });

  it('applies only what the preview showed: a cut changed in between refuses the apply (412) and changes nothing', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Race', code: 'RACE', fps: { num: 24, den: 1 } }).expect(201)).body;
    const send = (rows: string[], query: Record<string, string>) =>
      h.http.post(`/projects/${project.id}/editorial/import`).query({ format: 'csv', ...query }).set(producer.auth).set('Content-Type', 'text/csv').send(`sequence,shot,frame_in,frame_out\n${rows.join('\n')}\n`);
    await send(['SQ1,B010,1001,1040', 'SQ1,B020,1001,1030', 'SQ1,B030,1001,1050'], { dryRun: 'false' }).expect(200);
    const recut = ['SQ1,B010,1001,1044', 'SQ1,B020,1001,1030'];
    const preview = (await send(recut, { dryRun: 'true' }).expect(200)).body;
    expect(preview.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(preview.shots.removed).toEqual(['B030']);
    // The same decisions, whatever happens to the work meanwhile: a task on B010 does not change the digest.
    const b010 = (await h.container.models.Shot.findOne({ projectId: project.id, code: 'B010' }).lean())!;
    const layout = (await h.http.get('/task-types').set(producer.auth).expect(200)).body.data.find((t: { name: string }) => t.name === 'Layout');
    await h.http.post('/tasks').set(producer.auth).send({ entityType: 'SHOT', entityId: String(b010._id), taskTypeId: layout.id }).expect(201);
    expect((await send(recut, { dryRun: 'true' }).expect(200)).body.digest).toBe(preview.digest);

    // Someone else's import re-times B020 after the preview was read: applying it now would do something else.
    await send(['SQ1,B010,1001,1040', 'SQ1,B020,1001,1036', 'SQ1,B030,1001,1050'], { dryRun: 'false' }).expect(200);
    const before = await h.container.models.Shot.find({ projectId: project.id }).sort({ cutOrder: 1 }).lean();
    const refused = await send(recut, { dryRun: 'false', expect: preview.digest }).expect(412);
    expect(refused.body.error.code).toBe('EDITORIAL_CUT_CHANGED');
    expect(refused.body.error.message).toMatch(/changed since this file was previewed.*nothing was changed\. Preview the file again/);
    expect(await h.container.models.Shot.find({ projectId: project.id }).sort({ cutOrder: 1 }).lean()).toEqual(before);

    // Previewed again, it applies.
    const again = (await send(recut, { dryRun: 'true' }).expect(200)).body;
    expect(again.digest).not.toBe(preview.digest);
    expect(again.shots.retimed.map((r: { code: string }) => r.code)).toEqual(['B010', 'B020']);
    const applied = (await send(recut, { dryRun: 'false', expect: again.digest }).expect(200)).body;
    expect(applied.digest).toBe(again.digest);
    expect((await h.container.models.Shot.findOne({ projectId: project.id, code: 'B030' }).lean())!.status).toBe('OMITTED');
    await send(recut, { dryRun: 'false', expect: 'not-a-digest' }).expect(400);
  });
});

describe('re-importing a cut that names shots with or without their sequence (issue 28)', () => {
  let h: Harness;
  let producer: Session;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
  });
  afterAll(async () => h.close());

  /** A project whose sequence `seq` holds 20 shots coded `codeOf(n)`, made one by one as a coordinator does in the UI. */
  async function project(code: string, seq: string, codeOf: (n: string) => string) {
    const p = (await h.http.post('/projects').set(producer.auth).send({ name: code, code, fps: { num: 24, den: 1 } }).expect(201)).body;
    const sequence = (await h.http.post(`/projects/${p.id}/sequences`).set(producer.auth).send({ code: seq }).expect(201)).body;
    for (let i = 1; i <= 20; i++) {
      await h.http.post(`/sequences/${sequence.id}/shots`).set(producer.auth).send({ code: codeOf(`SH${String(i * 10).padStart(4, '0')}`), frameIn: 1001, frameOut: 1048, cutOrder: i * 10 }).expect(201);
    }
    return p.id as string;
  }
  const importCsv = (projectId: string, rows: string[], dryRun: boolean) =>
    h.http.post(`/projects/${projectId}/editorial/import`).query({ format: 'csv', dryRun: String(dryRun) }).set(producer.auth).set('Content-Type', 'text/csv').send(`sequence,shot,frame_in,frame_out\n${rows.join('\n')}\n`).expect(200);
  const stored = async (projectId: string) => (await h.container.models.Shot.find({ projectId }).sort({ cutOrder: 1 }).lean()).map((s) => [s.code, s.status, s.frameOut]);
  const shotNames = Array.from({ length: 20 }, (_, i) => `SH${String((i + 1) * 10).padStart(4, '0')}`);

  it('recognises SH0010 of SQ010 in clips named SQ010_SH0010 and sq010_sh0010: nothing new, nothing removed', async () => {
    const id = await project('NAMES', 'SQ010', (n) => n);
    const clips = shotNames.map((n, i) => ({ OTIO_SCHEMA: 'Clip.2', name: i % 2 ? `sq010_${n.toLowerCase()}` : `SQ010_${n}`, source_range: { OTIO_SCHEMA: 'TimeRange.1', start_time: { OTIO_SCHEMA: 'RationalTime.1', rate: 24, value: 1001 }, duration: { OTIO_SCHEMA: 'RationalTime.1', rate: 24, value: i === 0 ? 60 : 48 } } }));
    const doc = { OTIO_SCHEMA: 'Timeline.1', name: 'Re-cut', tracks: { OTIO_SCHEMA: 'Stack.1', children: [{ OTIO_SCHEMA: 'Track.1', kind: 'Video', children: clips }] } };
    const send = (dryRun: boolean) => h.http.post(`/projects/${id}/editorial/import`).query({ format: 'otio', dryRun: String(dryRun) }).set(producer.auth).set('Content-Type', 'application/vnd.opentimelineio+json').send(JSON.stringify(doc)).expect(200);
    const dry = (await send(true)).body;
    expect(dry.shots.new).toEqual([]);
    expect(dry.shots.removed).toEqual([]);
    expect(dry.shots.retimed.map((r: { code: string }) => r.code)).toEqual(['SH0010']);
    // The timeline places every clip (record ranges), which the shots made by hand did not have.
    expect(dry.shots.moved.map((m: { code: string }) => m.code)).toEqual(shotNames.slice(1));
    expect(dry.sequences).toEqual({ new: [], existing: ['SQ010'] });
    await send(false);
    expect(await stored(id)).toEqual(shotNames.map((n, i) => [n, 'ACTIVE', i === 0 ? 1060 : 1048]));
  });

  it('recognises SQ020_SH0010 in a CSV row naming shot SH0010 of sequence SQ020, but not SH0010 of another sequence', async () => {
    const id = await project('FULL', 'SQ020', (n) => `SQ020_${n}`);
    const dry = (await importCsv(id, [...shotNames.map((n) => `SQ020,${n},1001,1048`), 'SQ030,SQ020_SH0010X,1,2'], true)).body;
    expect(dry.shots).toMatchObject({ removed: [], retimed: [], moved: [], unchanged: 20 });
    expect(dry.shots.new.map((s: { code: string }) => s.code)).toEqual(['SQ020_SH0010X']);
    // SH0010 named under SQ030 is not SQ020's shot: a new shot, and SQ020_SH0010 is left out of the cut.
    const other = (await importCsv(id, ['SQ030,SH0010,1001,1048'], true)).body;
    expect(other.shots.new.map((s: { code: string }) => s.code)).toEqual(['SH0010']);
    expect(other.shots.removed).toHaveLength(20);
  });

  it('refuses a file that names one shot twice under its two names', async () => {
    const id = await project('TWICE', 'SQ040', (n) => n);
    const res = await h.http.post(`/projects/${id}/editorial/import`).query({ format: 'csv', dryRun: 'false' }).set(producer.auth).set('Content-Type', 'text/csv').send('sequence,shot,frame_in,frame_out\nSQ040,SH0010,1001,1048\nSQ040,SQ040_SH0010,1001,1050\n').expect(422);
    expect(res.body.error).toMatchObject({ code: 'EDITORIAL_INVALID', details: [{ path: 'line 3', message: 'SQ040_SH0010 is shot SH0010, already named by SH0010 at line 2' }] });
    expect(await stored(id)).toEqual(shotNames.map((n) => [n, 'ACTIVE', 1048]));
  });
});

describe('EDL import', () => {
  let h: Harness;
  let producer: Session;
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
  });
  afterAll(async () => h.close());

  const send = (projectId: string, text: string, dryRun = false) =>
    h.http.post(`/projects/${projectId}/editorial/import`).query({ format: 'edl', dryRun: String(dryRun) }).set(producer.auth).set('Content-Type', 'application/octet-stream').send(Buffer.from(text));

  it('imports video events as shots, by clip name, through a dissolve, past audio events and notes', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'EDL', code: 'EDL', fps: { num: 24, den: 1 } }).expect(201)).body;
    const edl = [
      'TITLE: REEL 1',
      'FCM: NON-DROP FRAME',
      '',
      '001  A001C003 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00',
      '* FROM CLIP NAME: SQ010_SH0010.mov',
      '002  A001C003 A     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00',
      '003  A001C003 V     C        01:00:12:00 01:00:12:00 01:00:02:00 01:00:02:00',
      '003  B002C001 V     D    012 02:00:00:00 02:00:01:12 01:00:02:00 01:00:03:12',
      '* FROM CLIP NAME: SQ010_SH0010.mov',
      '* TO CLIP NAME: SQ010_SH0020.mov',
      'M2   B002C001       024.0                02:00:00:00',
      '004  SQ020_SH0010 V     C        00:00:00:00 00:00:00:10 01:00:03:12 01:00:03:22',
      '',
    ].join('\r\n');
    await send(project.id, edl).expect(200);
    const shots = await h.container.models.Shot.find({ projectId: project.id }).sort({ cutOrder: 1 }).lean();
    expect(shots.map((s) => [s.code, s.frameIn, s.frameOut, s.recordIn, s.recordOut])).toEqual([
      ['SQ010_SH0010', 86640, 86687, 86400, 86447],
      ['SQ010_SH0020', 172800, 172835, 86448, 86483],
      ['SQ020_SH0010', 0, 9, 86484, 86493],
    ]);
    const seqs = (await h.http.get(`/projects/${project.id}/sequences`).set(producer.auth).expect(200)).body.data;
    expect(seqs.map((s: { code: string }) => s.code)).toEqual(['SQ010', 'SQ020']);
  });

  it('reads drop-frame timecode at 29.97', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'DF', code: 'DF', fps: { num: 30000, den: 1001 } }).expect(201)).body;
    const res = await send(project.id, 'FCM: DROP FRAME\n001  X  V  C  00:00:59;28 00:01:00;02 00:09:59;29 00:10:00;03\n* FROM CLIP NAME: SQ1_A\n', true).expect(200);
    expect(res.body.shots.new).toEqual([{ code: 'SQ1_A', sequence: 'SQ1', frameIn: 1798, frameOut: 1799, recordIn: 17981, recordOut: 17984, fps: null }]);
  });

  it('refuses a malformed EDL whole, saying which lines, and changes nothing', async () => {
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Bad EDL', code: 'BADEDL', fps: { num: 25, den: 1 } }).expect(201)).body;
    const res = await send(project.id, ['TITLE: X', '001  R  V  C  01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00', '* FROM CLIP NAME: NOSEQUENCE', '002  R  V  C  01:00:00:00 01:00:01:30 01:00:01:00 01:00:02:00', 'sequence,shot,frame_in,frame_out'].join('\n')).expect(422);
    expect(res.body.error.code).toBe('EDITORIAL_INVALID');
    expect(res.body.error.details).toEqual([
      { path: 'line 4', message: 'event 002: a timecode is not HH:MM:SS:FF at 25 frames per second' },
      { path: 'line 5', message: 'not an EDL line (an event, a * note, TITLE: or FCM:)' },
      { path: 'line 2', message: 'clip "NOSEQUENCE": no sequence (name it like SQ010_SH0010)' },
    ]);
    expect(await h.container.models.Shot.countDocuments({ projectId: project.id })).toBe(0);
  });
});

describe('the web app\'s import screen', () => {
  it('refuses before sending exactly the files the import refuses for their size', () => {
    expect(WEB_MAX_BYTES).toEqual(EDITORIAL_MAX_BYTES);
  });
});

describe('CSV records', () => {
  it('splits quoted fields with commas, doubled quotes and line breaks, numbering records by their first line', () => {
    expect(csvRecords('a,b\r\n"x, y","say ""hi"""\n"two\nlines",z\n\nlast,')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
      { line: 6, fields: ['last', ''] },
    ]);
  });
});
