import { startHarness, type Harness } from './support/harness';
import { PASSWORD, uniqueEmail } from './support/factories';

describe('auth: register, login, me, rotating refresh with theft detection, logout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('walks the whole session life-cycle and revokes the family when a rotated token is replayed', async () => {
    const email = uniqueEmail('Flow');
    const reg = await h.http.post('/auth/register').send({ studioName: 'Moonbeam Animation', name: 'Ada', email, password: PASSWORD });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email, name: 'Ada', role: 'PRODUCER', active: true });
    expect(reg.body.user).not.toHaveProperty('passwordHash');
    const studio = await h.container.models.Studio.findById(reg.body.user.studioId).lean();
    expect(studio).toMatchObject({ name: 'Moonbeam Animation', slug: 'moonbeam-animation' });

    // Email is case-insensitive at login.
    const login = await h.http.post('/auth/login').send({ email: email.toUpperCase(), password: PASSWORD });
    expect(login.status).toBe(200);
    const me = await h.http.get('/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: reg.body.user.id, studioId: reg.body.user.studioId, role: 'PRODUCER' });

    const first = login.body.refreshToken as string;
    const r1 = await h.http.post('/auth/refresh').send({ refreshToken: first });
    expect(r1.status).toBe(200);
    expect(r1.body.refreshToken).not.toBe(first);
    expect((await h.http.get('/auth/me').set('Authorization', `Bearer ${r1.body.accessToken}`)).status).toBe(200);

    // The old token is now useless, and replaying it revokes the whole family...
    const replay = await h.http.post('/auth/refresh').send({ refreshToken: first });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    // ...so the newest token of that family fails too.
    const newest = await h.http.post('/auth/refresh').send({ refreshToken: r1.body.refreshToken });
    expect(newest.status).toBe(401);

    // The registration session is another family and still works; logout ends it.
    const r2 = await h.http.post('/auth/refresh').send({ refreshToken: reg.body.refreshToken });
    expect(r2.status).toBe(200);
    const out = await h.http.post('/auth/logout').send({ refreshToken: r2.body.refreshToken });
    expect(out.status).toBe(204);
    const afterLogout = await h.http.post('/auth/refresh').send({ refreshToken: r2.body.refreshToken });
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.error.code).toBe('INVALID_REFRESH_TOKEN');

    // Tokens are stored only as hashes.
    const stored = await h.container.models.RefreshToken.find({ userId: reg.body.user.id }).lean();
    expect(stored.length).toBeGreaterThanOrEqual(3);
    for (const t of stored) {
      expect(t.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(t)).not.toContain(first);
    }
  });

  it('lets exactly one of several simultaneous refreshes with the same token succeed', async () => {
    const reg = await h.http.post('/auth/register').send({ studioName: 'Race Studio', name: 'R', email: uniqueEmail(), password: PASSWORD });
    const results = await Promise.all(Array.from({ length: 6 }, () => h.http.post('/auth/refresh').send({ refreshToken: reg.body.refreshToken })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
  });

  it('refuses an expired refresh token even when the database has not removed it yet', async () => {
    const reg = await h.http.post('/auth/register').send({ studioName: 'Expiry Studio', name: 'Eve', email: uniqueEmail(), password: PASSWORD });
    await h.container.models.RefreshToken.updateMany({ userId: reg.body.user.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await h.http.post('/auth/refresh').send({ refreshToken: reg.body.refreshToken });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('rejects a second registration with the same email in any letter case, leaving no extra studio behind', async () => {
    const email = uniqueEmail('dup');
    expect((await h.http.post('/auth/register').send({ studioName: 'One', name: 'A', email, password: PASSWORD })).status).toBe(201);
    const before = await h.container.models.Studio.countDocuments();
    const dup = await h.http.post('/auth/register').send({ studioName: 'Two', name: 'B', email: email.toUpperCase(), password: PASSWORD });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('EMAIL_TAKEN');
    expect(await h.container.models.Studio.countDocuments()).toBe(before);
  });

  it.each([
    ['a short password', { password: 'short' }, 'password'],
    ['a password over 72 bytes', { password: 'é'.repeat(37) }, 'password'],
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['an unknown field', { isAdmin: true }, '(root)'],
    ['an operator object instead of a string', { email: { $gt: '' } }, 'email'],
  ])('answers 400 in the error contract for %s', async (_label, patch, path) => {
    const res = await h.http.post('/auth/register').send({ studioName: 'Bad Input', name: 'X', email: uniqueEmail(), password: PASSWORD, ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const reg = await h.http.post('/auth/register').send({ studioName: 'Enum', name: 'E', email: uniqueEmail(), password: PASSWORD });
    const unknown = await h.http.post('/auth/login').send({ email: uniqueEmail('ghost'), password: PASSWORD });
    const wrong = await h.http.post('/auth/login').send({ email: reg.body.user.email, password: 'wrong password 123' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    const strip = (b: { error: Record<string, unknown> }) => ({ ...b.error, correlationId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
  });
});
