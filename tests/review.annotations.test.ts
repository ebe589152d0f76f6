import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { listen } from './support/sockets';
import { waitFor } from './support/workers';

type Reply = { data?: Record<string, unknown>; error?: { code: string; message: string; details?: Array<{ path: string; message: string }> } };

const arrow = { kind: 'arrow', color: 'red', points: [0.1, 0.2, 0.45, 0.5] };
const stroke = { kind: 'stroke', color: 'cyan', points: [0, 0, 0.25, 0.125, 0.5, 0.5, 1, 1] };
const label = { kind: 'text', color: 'white', points: [0.6, 0.1], text: 'Too bright' };

describe('review comments with on-frame annotations', () => {
  let h: Harness;
  let a: Session;
  let artist: Session;
  let director: Session;
  let b: Session;
  let assetId: string;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    a = await givenStudio(h, 'Annotations A');
    artist = await givenMember(h, a, 'ARTIST');
    director = await givenMember(h, a, 'DIRECTOR');
    b = await givenStudio(h, 'Annotations B');
    assetId = (await h.http.post('/assets').set(a.auth).send({ name: 'Shot 030', type: 'SHOT' }).expect(201)).body.id;
    await h.http.post(`/assets/${assetId}/versions`).set(a.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'sh030.fbx').expect(201);
  });
  afterAll(async () => {
    await h.close();
  });

  const comments = async (as: Session = a) => (await h.http.get(`/assets/${assetId}/comments`).query({ limit: 100 }).set(as.auth).expect(200)).body.data as Array<Record<string, unknown>>;

  it('stores strokes, arrows and text exactly as sent and lists them back on their frame', async () => {
    const annotation = { shapes: [arrow, stroke, label] };
    const res = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'Arm pops', version: 1, frame: 100_123, annotation }).expect(201);
    expect(res.body).toMatchObject({ frame: 100_123, version: 1, annotation });
    const listed = (await comments()).find((c) => c.id === res.body.id);
    expect(listed).toMatchObject({ frame: 100_123, version: 1, annotation });
    // Text is trimmed like every other text field; a comment without drawings has annotation null.
    const trimmed = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'x', version: 1, frame: 0, annotation: { shapes: [{ ...label, text: '  padded  ' }] } }).expect(201);
    expect((trimmed.body.annotation as { shapes: Array<{ text: string }> }).shapes[0]!.text).toBe('padded');
    expect((await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'plain' }).expect(201)).body.annotation).toBeNull();
  });

  it('accepts the limits themselves: 32 shapes, a 1000-point stroke, 2000 points in all, coordinates 0 and 1', async () => {
    const line = (n: number) => Array.from({ length: n * 2 }, (_, i) => (i % 4 === 0 ? 0 : i % 4 === 1 ? 1 : (i % 7) / 7));
    const shapes = [{ kind: 'stroke', color: 'yellow', points: line(1000) }, { kind: 'stroke', color: 'green', points: line(940) }, ...Array.from({ length: 30 }, () => arrow)];
    const res = await h.http.post(`/assets/${assetId}/comments`).set(director.auth).send({ body: 'limits', version: 1, frame: 5, annotation: { shapes } }).expect(201);
    expect((res.body.annotation as { shapes: unknown[] }).shapes).toEqual(shapes);
  });

  const refusals: Array<[string, unknown, string]> = [
    ['no shapes', { shapes: [] }, 'annotation.shapes'],
    ['33 shapes', { shapes: Array.from({ length: 33 }, () => arrow) }, 'annotation.shapes'],
    ['a coordinate above 1', { shapes: [{ ...arrow, points: [0.1, 0.2, 1.01, 0.5] }] }, 'annotation.shapes.0.points.2'],
    ['a negative coordinate', { shapes: [{ ...stroke, points: [0, -0.1, 0.5, 0.5] }] }, 'annotation.shapes.0.points.1'],
    ['a coordinate that is not a number', { shapes: [{ ...arrow, points: [0.1, '0.2', 0.3, 0.4] }] }, 'annotation.shapes.0.points.1'],
    ['an odd number of coordinates', { shapes: [{ ...stroke, points: [0.1, 0.2, 0.3, 0.4, 0.5] }] }, 'annotation.shapes.0.points'],
    ['a stroke of one point', { shapes: [{ ...stroke, points: [0.1, 0.2] }] }, 'annotation.shapes.0.points'],
    ['a stroke of 1001 points', { shapes: [{ ...stroke, points: Array.from({ length: 2002 }, () => 0.5) }] }, 'annotation.shapes.0.points'],
    ['an arrow of three points', { shapes: [{ ...arrow, points: [0, 0, 0.5, 0.5, 1, 1] }] }, 'annotation.shapes.0.points'],
    ['2001 points in all', { shapes: [0, 1, 2].map(() => ({ ...stroke, points: Array.from({ length: 1334 }, () => 0.5) })) }, 'annotation.shapes'],
    ['a colour outside the palette', { shapes: [{ ...arrow, color: '#ff0000' }] }, 'annotation.shapes.0.color'],
    ['an unknown kind of shape', { shapes: [{ ...arrow, kind: 'circle' }] }, 'annotation.shapes.0.kind'],
    ['an unknown field on a shape', { shapes: [{ ...arrow, width: 3 }] }, 'annotation.shapes.0'],
    ['an unknown field on the annotation', { shapes: [arrow], layer: 2 }, 'annotation'],
    ['empty text', { shapes: [{ ...label, text: '   ' }] }, 'annotation.shapes.0.text'],
    ['text over 200 characters', { shapes: [{ ...label, text: 'x'.repeat(201) }] }, 'annotation.shapes.0.text'],
    ['text without its point', { shapes: [{ ...label, points: [] }] }, 'annotation.shapes.0.points'],
    ['shapes that are not a list', { shapes: { 0: arrow } }, 'annotation.shapes'],
  ];

  it.each(refusals)('refuses %s with 400 VALIDATION_FAILED naming the field, storing nothing', async (_what, annotation, path) => {
    const before = (await comments()).length;
    const res = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'bad drawing', version: 1, frame: 12, annotation }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await comments()).toHaveLength(before);
  });

  it('refuses a drawing without the version or the frame it is on, and a fractional frame', async () => {
    const before = (await comments()).length;
    const annotation = { shapes: [arrow] };
    const noVersion = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'x', frame: 12, annotation }).expect(400);
    expect(noVersion.body.error.details).toEqual([{ path: 'version', message: 'an annotation needs the version it is drawn on' }]);
    const noFrame = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'x', version: 1, annotation }).expect(400);
    expect(noFrame.body.error.details).toEqual([{ path: 'frame', message: 'an annotation needs the frame it is drawn on' }]);
    const fractional = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'x', version: 1, frame: 12.5, annotation }).expect(400);
    expect(fractional.body.error.details.map((d: { path: string }) => d.path)).toEqual(['frame']);
    expect((await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'x', version: 9, frame: 1, annotation }).expect(404)).body.error.code).toBe('VERSION_NOT_FOUND');
    expect(await comments()).toHaveLength(before);
  });

  it('answers 404 to another studio drawing on this asset, and shows it none of the drawings', async () => {
    const before = (await comments()).length;
    const res = await h.http.post(`/assets/${assetId}/comments`).set(b.auth).send({ body: 'from B', version: 1, frame: 1, annotation: { shapes: [arrow] } }).expect(404);
    expect(res.body.error.code).toBe('ASSET_NOT_FOUND');
    expect((await h.http.get(`/assets/${assetId}/comments`).set(b.auth).expect(404)).body.error.code).toBe('ASSET_NOT_FOUND');
    expect(await comments()).toHaveLength(before);
  });

  it('sends the annotation with asset:commented to the studio, over REST and over the socket; the socket refuses a bad one', async () => {
    const { url } = await h.listenRealtime();
    const watcher = await listen(url, director.accessToken);
    const outsider = await listen(url, b.accessToken);
    const sender = await listen(url, artist.accessToken);
    const annotation = { shapes: [arrow, label] };
    const rest = await h.http.post(`/assets/${assetId}/comments`).set(artist.auth).send({ body: 'over REST', version: 1, frame: 12, annotation }).expect(201);
    const reply = (await sender.socket.timeout(5000).emitWithAck('asset:comment', { assetId, body: 'over the socket', version: 1, frame: 13, annotation })) as Reply;
    expect(reply.data).toMatchObject({ frame: 13, annotation });
    const got = () => (watcher.events['asset:commented'] ?? []) as Array<{ id: string; frame: number; annotation: unknown }>;
    await waitFor('both comments', async () => got().length >= 2, 5000, 20);
    expect(got().map((c) => [c.id, c.frame, c.annotation])).toEqual([[rest.body.id, 12, annotation], [reply.data!.id, 13, annotation]]);
    const bad = (await sender.socket.timeout(5000).emitWithAck('asset:comment', { assetId, body: 'bad', version: 1, frame: 13, annotation: { shapes: [{ ...arrow, color: 'orange' }] } })) as Reply;
    expect(bad.error?.code).toBe('VALIDATION_FAILED');
    expect(bad.error?.details?.map((d) => d.path)).toContain('annotation.shapes.0.color');
    await new Promise((r) => setTimeout(r, 200));
    expect(got()).toHaveLength(2);
    expect(outsider.events['asset:commented']).toBeUndefined();
    for (const l of [watcher, outsider, sender]) l.socket.disconnect();
  });

  it('refuses an ARTIST\'s forged approval over REST with 403, leaving the status alone; a DIRECTOR\'s is recorded', async () => {
    const forged = await h.http.post(`/assets/${assetId}/versions/1/review`).set(artist.auth).send({ decision: 'APPROVED' }).expect(403);
    expect(forged.body.error.code).toBe('FORBIDDEN');
    expect((await h.http.get(`/assets/${assetId}`).set(a.auth).expect(200)).body.status).not.toBe('APPROVED');
    await h.http.post(`/assets/${assetId}/versions/1/review`).set(director.auth).send({ decision: 'APPROVED' }).expect(201);
    expect((await h.http.get(`/assets/${assetId}`).set(a.auth).expect(200)).body.status).toBe('APPROVED');
  });
});
