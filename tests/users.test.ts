import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, PASSWORD, plantToken, type Session } from './support/factories';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('users: PRODUCERs manage their own studio, nobody else\'s', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    h = await startHarness();
    a = await givenStudio(h, 'Studio A');
    b = await givenStudio(h, 'Studio B');
  });
  afterAll(() => h.close());

  it('lists only the caller\'s studio, paged with a cursor', async () => {
    for (let i = 0; i < 3; i++) await givenMember(h, b, 'DIRECTOR');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await h.http.get('/users').set(b.auth).query({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.page.limit).toBe(2);
      for (const u of res.body.data) {
        expect(u.studioId).toBe(b.user.studioId);
        seen.push(u.id);
      }
      cursor = res.body.page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(seen).not.toContain(a.user.id);
  });

  it('answers 404 when a PRODUCER of studio A changes a user of studio B, and changes nothing', async () => {
    const bArtist = await givenMember(h, b, 'ARTIST');
    const res = await h.http.patch(`/users/${bArtist.user.id}`).set(a.auth).send({ role: 'PRODUCER' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER_NOT_FOUND');
    const stored = await h.container.models.User.findById(bArtist.user.id).lean();
    expect(stored?.role).toBe('ARTIST');
  });

  it('refuses to demote or deactivate the last active PRODUCER (409)', async () => {
    const solo = await givenStudio(h);
    const demote = await h.http.patch(`/users/${solo.user.id}`).set(solo.auth).send({ role: 'ARTIST' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('LAST_PRODUCER');
    const deactivate = await h.http.patch(`/users/${solo.user.id}`).set(solo.auth).send({ active: false });
    expect(deactivate.status).toBe(409);
    expect((await h.container.models.User.findById(solo.user.id).lean())?.role).toBe('PRODUCER');
  });

  it('a PRODUCER bot\'s admin token cannot deactivate or demote the only human PRODUCER, nor anyone: roles and activity are people-only (issue 27, finding 8)', async () => {
    const owner = await givenStudio(h);
    const artist = await givenMember(h, owner, 'ARTIST');
    const bot = (await h.http.post('/bots').set(owner.auth).send({ name: 'Ops bot', role: 'PRODUCER' }).expect(201)).body;
    const { token } = await plantToken(h, { id: bot.id, studioId: owner.user.studioId }, ['admin']);
    const before = await h.container.models.User.find({ studioId: owner.user.studioId }).sort({ _id: 1 }).lean();
    for (const [id, patch] of [
      [owner.user.id, { active: false }],
      [owner.user.id, { role: 'ARTIST' }],
      [artist.user.id, { role: 'PRODUCER' }],
      [artist.user.id, { active: false }],
      [bot.id, { name: 'Renamed by itself' }],
    ] as const) {
      const res = await h.http.patch(`/users/${id}`).set(bearer(token)).send(patch);
      expect({ id, patch, status: res.status, code: res.body.error?.code }).toEqual({ id, patch, status: 403, code: 'TOKEN_NOT_ALLOWED' });
    }
    expect(await h.container.models.User.find({ studioId: owner.user.studioId }).sort({ _id: 1 }).lean()).toEqual(before);
    // The human keeps their studio; reading members stays open to the admin scope.
    expect((await h.http.get('/auth/me').set(owner.auth)).status).toBe(200);
    expect((await h.http.get('/users').set(bearer(token))).status).toBe(200);
  });

  it('counts only people for the last-PRODUCER rule: with a PRODUCER bot, the only human PRODUCER still cannot step down or be deactivated', async () => {
    const owner = await givenStudio(h);
    const bot = (await h.http.post('/bots').set(owner.auth).send({ name: 'Keeper bot', role: 'PRODUCER' }).expect(201)).body;
    for (const patch of [{ role: 'ARTIST' }, { active: false }]) {
      const res = await h.http.patch(`/users/${owner.user.id}`).set(owner.auth).send(patch);
      expect([res.status, res.body.error?.code]).toEqual([409, 'LAST_PRODUCER']);
    }
    expect(await h.container.models.User.findById(owner.user.id).lean()).toMatchObject({ role: 'PRODUCER', active: true });
    // The bot itself may be demoted or switched off by a person, whatever the count.
    await h.http.patch(`/users/${bot.id}`).set(owner.auth).send({ active: false }).expect(200);
    // With a second human PRODUCER, stepping down is fine.
    const deputy = await givenMember(h, owner, 'PRODUCER');
    expect((await h.http.patch(`/users/${owner.user.id}`).set(deputy.auth).send({ role: 'DIRECTOR' })).status).toBe(200);
  });

  it('keeps one PRODUCER when two PRODUCERs demote each other at the same moment', async () => {
    const owner = await givenStudio(h);
    const second = await givenMember(h, owner, 'PRODUCER');
    const [r1, r2] = await Promise.all([
      h.http.patch(`/users/${second.user.id}`).set(owner.auth).send({ role: 'ARTIST' }),
      h.http.patch(`/users/${owner.user.id}`).set(second.auth).send({ role: 'ARTIST' }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const producers = await h.container.models.User.countDocuments({ studioId: owner.user.studioId, role: 'PRODUCER', active: true });
    expect(producers).toBe(1);
  });

  it('revokes a user\'s sessions when their role changes, and refuses a deactivated user at login and refresh', async () => {
    const director = await givenMember(h, a, 'DIRECTOR');
    const promoted = await h.http.patch(`/users/${director.user.id}`).set(a.auth).send({ role: 'PRODUCER' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('PRODUCER');
    const stale = await h.http.post('/auth/refresh').send({ refreshToken: director.refreshToken });
    expect(stale.status).toBe(401);

    const relog = await h.http.post('/auth/login').send({ email: director.user.email, password: PASSWORD });
    expect(relog.status).toBe(200);
    const off = await h.http.patch(`/users/${director.user.id}`).set(a.auth).send({ active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await h.http.post('/auth/refresh').send({ refreshToken: relog.body.refreshToken })).status).toBe(401);
    const login = await h.http.post('/auth/login').send({ email: director.user.email, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('ACCOUNT_DEACTIVATED');
  });

  it('validates PATCH bodies and ids', async () => {
    expect((await h.http.patch(`/users/${a.user.id}`).set(a.auth).send({})).status).toBe(400);
    expect((await h.http.patch(`/users/${a.user.id}`).set(a.auth).send({ role: 'ADMIN' })).status).toBe(400);
    expect((await h.http.patch(`/users/${a.user.id}`).set(a.auth).send({ role: { $ne: 'x' } })).status).toBe(400);
    expect((await h.http.patch('/users/not-an-id').set(a.auth).send({ name: 'x' })).status).toBe(400);
    expect((await h.http.get('/users').set(a.auth).query({ limit: 1000 })).status).toBe(400);
    expect((await h.http.get('/users').set(a.auth).query({ cursor: 'garbage' })).status).toBe(400);
  });
});
