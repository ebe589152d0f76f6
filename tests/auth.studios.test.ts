// People in several studios: a link into another of their studios finds which one holds it (so the web app
// offers to switch), answered only from the caller's own memberships, the same empty answer for an id that
// does not exist and one of a studio they are not in; studios of the same name are told apart by slug and
// creation date, and creating a second studio with the name of one you belong to asks first (409, overridable).
import { startHarness, type Harness } from './support/harness';
import { givenStudio, invite, PASSWORD, uniqueEmail, type Session } from './support/factories';

describe('people in several studios', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  let outsider: Session;

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', AUTH_RATE_LIMIT_MAX_PER_IP: '100000' });
    a = await givenStudio(h, 'Holding A');
    b = await givenStudio(h, 'Holding B');
    outsider = await givenStudio(h, 'Holding Outside');
  });
  afterAll(async () => h.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const holding = async (s: { auth: Record<string, string> }, kind: string, id: string) => (await h.http.get('/auth/studios/holding').query({ kind, id }).set(s.auth).expect(200)).body.data as Array<{ studioId: string; studioName: string }>;

  it('a member of A and B, signed in to A, learns that B holds B\'s asset, project and task; nobody else learns anything', async () => {
    // B's producer joins A too (an invitation accepted with the account's own password).
    const token = await invite(h, a, b.user.email, 'ARTIST');
    const joined = (await h.http.post('/invitations/accept').send({ token, password: PASSWORD }).expect(201)).body as { accessToken: string };
    const inA = { auth: bearer(joined.accessToken) };

    const asset = (await h.http.post('/assets').set(b.auth).send({ name: 'B only', type: 'PROP' }).expect(201)).body;
    const project = (await h.http.post('/projects').set(b.auth).send({ name: 'B show', code: 'BSHOW' }).expect(201)).body;
    const types = (await h.http.get('/task-types').set(b.auth).expect(200)).body.data as Array<{ id: string; name: string }>;
    const task = (await h.http.post('/tasks').set(b.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: types.find((t) => t.name === 'Modeling')!.id }).expect(201)).body;
    expect((await h.http.get(`/assets/${asset.id}`).set(inA.auth)).status).toBe(404);

    for (const [kind, id] of [['asset', asset.id], ['project', project.id], ['task', task.id]]) {
      expect((await holding(inA, kind!, id!)).map((m) => [m.studioId, m.studioName])).toEqual([[b.user.studioId, 'Holding B']]);
    }
    // The studio the caller is in already is not offered; a kind that does not match the id finds nothing.
    expect(await holding(b, 'asset', asset.id)).toEqual([]);
    expect(await holding(inA, 'project', asset.id)).toEqual([]);

    // Someone in neither studio, and A's own producer (not in B): the same empty answer as for an id that never existed.
    const outsiderAsset = (await h.http.post('/assets').set(outsider.auth).send({ name: 'Outside', type: 'PROP' }).expect(201)).body;
    expect(await holding(inA, 'asset', outsiderAsset.id)).toEqual([]);
    expect(await holding(a, 'asset', asset.id)).toEqual([]);
    expect(await holding(inA, 'asset', '0123456789abcdef01234567')).toEqual([]);

    // Bad input says which field.
    const bad = await h.http.get('/auth/studios/holding').query({ kind: 'user', id: 'nope' }).set(inA.auth).expect(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['id', 'kind']);
  });

  it('tells apart studios of the same name, and asks before a second one of a name the person has', async () => {
    const email = uniqueEmail('twin');
    const first = await givenStudio(h, 'Twin Peaks', email);
    const register = async () => {
      await h.http.post('/auth/register').send({ studioName: 'twin peaks ', name: 'Owner', email }).expect(202);
      return h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
    };
    const link = await register();
    const asked = await h.http.post('/auth/verify-email').send({ token: link, password: PASSWORD });
    expect([asked.status, asked.body.error.code]).toEqual([409, 'STUDIO_NAME_TAKEN']);
    expect(asked.body.error.message).toMatch(/already belong to a studio named "Twin Peaks" \(created \d{4}-\d\d-\d\d\)/);
    expect(asked.body.error.details).toEqual([{ path: 'studioName', message: expect.stringContaining('twin-peaks') }]);
    // Nothing was made, and the link still works: confirmed, the second studio is created.
    expect((await h.http.get('/auth/studios').set(first.auth).expect(200)).body.data).toHaveLength(1);
    const made = await h.http.post('/auth/verify-email').send({ token: link, password: PASSWORD, sameNameOk: true });
    expect(made.status).toBe(201);

    const studios = (await h.http.get('/auth/studios').set(bearer(made.body.accessToken)).expect(200)).body.data as Array<{ studioName: string; studioSlug: string; studioCreatedAt: string }>;
    expect(studios.map((m) => m.studioName.toLowerCase().trim())).toEqual(['twin peaks', 'twin peaks']);
    expect(new Set(studios.map((m) => m.studioSlug)).size).toBe(2);
    expect(studios.every((m) => !Number.isNaN(Date.parse(m.studioCreatedAt)))).toBe(true);
  });

  it('a wrong password learns nothing of the person\'s studios', async () => {
    const email = uniqueEmail('probe');
    await givenStudio(h, 'Probe Studio', email);
    await h.http.post('/auth/register').send({ studioName: 'Probe Studio', name: 'Owner', email }).expect(202);
    const link = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
    const wrong = await h.http.post('/auth/verify-email').send({ token: link, password: 'not the password at all' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    expect(JSON.stringify(wrong.body)).not.toContain('Probe');
  });
});
