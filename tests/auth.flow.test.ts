import { startHarness, type Harness } from './support/harness';
import { givenStudio, PASSWORD, uniqueEmail } from './support/factories';

describe('auth: register by mailed link, login, me, rotating refresh with theft detection, logout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('walks the whole session life-cycle and revokes the family when a rotated token is replayed', async () => {
    const email = uniqueEmail('Flow');
    const started = await h.http.post('/auth/register').send({ studioName: 'Moonbeam Animation', name: 'Ada', email });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ status: 'verification_sent', expiresAt: expect.any(String) });
    // Nothing exists until the mailed link is followed.
    expect(await h.container.models.Studio.countDocuments({ name: 'Moonbeam Animation' })).toBe(0);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: email.toLowerCase() })).toBe(0);
    const mail = await h.mailbox.next(email);
    expect(mail.subject).toBe('Confirm your address to create Moonbeam Animation on Studio API');
    const token = h.mailbox.tokenOf(mail, 'verify-email');
    const reg = await h.http.post('/auth/verify-email').send({ token, password: PASSWORD });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ email, name: 'Ada', role: 'PRODUCER', active: true });
    const account = await h.container.models.Account.findOne({ emailNormalized: email.toLowerCase() }).lean();
    expect(account?.emailVerifiedAt).toBeInstanceOf(Date);
    // The link works once.
    const again = await h.http.post('/auth/verify-email').send({ token, password: PASSWORD });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('LINK_INVALID');
    expect(await h.container.models.Studio.countDocuments({ name: 'Moonbeam Animation' })).toBe(1);
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
    const reg = { body: await givenStudio(h, 'Race Studio') };
    const results = await Promise.all(Array.from({ length: 6 }, () => h.http.post('/auth/refresh').send({ refreshToken: reg.body.refreshToken })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
  });

  it('refuses an expired refresh token even when the database has not removed it yet', async () => {
    const reg = { body: await givenStudio(h, 'Expiry Studio') };
    await h.container.models.RefreshToken.updateMany({ userId: reg.body.user.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await h.http.post('/auth/refresh').send({ refreshToken: reg.body.refreshToken });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('answers a registration for an address that has an account exactly like one that has none; the owner\'s link adds the studio to their account', async () => {
    const owner = await givenStudio(h, 'First Studio');
    const fresh = uniqueEmail('fresh');
    const forExisting = await h.http.post('/auth/register').send({ studioName: 'Second Studio', name: 'Someone', email: owner.user.email.toUpperCase() });
    const forNew = await h.http.post('/auth/register').send({ studioName: 'Second Studio', name: 'Someone', email: fresh });
    expect(forExisting.status).toBe(202);
    expect(forNew.status).toBe(forExisting.status);
    const shape = (b: Record<string, unknown>) => ({ ...b, expiresAt: typeof b.expiresAt });
    expect(shape(forExisting.body)).toEqual(shape(forNew.body));
    expect(Object.keys(forExisting.headers).sort()).toEqual(Object.keys(forNew.headers).sort());

    // Only the mailbox tells them apart; the existing account keeps its password, which its link asks for.
    const mail = await h.mailbox.next(owner.user.email);
    expect(mail.text).toContain('already has a Studio API account');
    const link = h.mailbox.tokenOf(mail, 'verify-email');
    const guessed = await h.http.post('/auth/verify-email').send({ token: link, password: 'another password 1' });
    expect([guessed.status, guessed.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const joined = await h.http.post('/auth/verify-email').send({ token: link, password: PASSWORD });
    expect(joined.status).toBe(201);
    expect(joined.body.user).toMatchObject({ role: 'PRODUCER', email: owner.user.email });
    expect(joined.body.user.studioId).not.toBe(owner.user.studioId);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: owner.user.email.toLowerCase() })).toBe(1);
    expect((await h.http.post('/auth/login').send({ email: owner.user.email, password: 'another password 1' })).status).toBe(401);
    const both = await h.http.get('/auth/studios').set('Authorization', `Bearer ${joined.body.accessToken}`);
    expect(both.body.data.map((m: { studioName: string }) => m.studioName).sort()).toEqual(['First Studio', 'Second Studio']);
  });

  it('refuses an expired or unknown registration link and creates nothing', async () => {
    const email = uniqueEmail('late');
    expect((await h.http.post('/auth/register').send({ studioName: 'Late Studio', name: 'L', email })).status).toBe(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
    await h.container.models.Registration.updateMany({ emailNormalized: email }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const late = await h.http.post('/auth/verify-email').send({ token, password: PASSWORD });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('LINK_INVALID');
    const forged = await h.http.post('/auth/verify-email').send({ token: 'A'.repeat(43), password: PASSWORD });
    expect(forged.body.error.code).toBe('LINK_INVALID');
    expect(await h.container.models.Studio.countDocuments({ name: 'Late Studio' })).toBe(0);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: email })).toBe(0);
  });

  it.each([
    ['a password (it is chosen on the link\'s page)', { password: PASSWORD }, '(root)'],
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['an unknown field', { isAdmin: true }, '(root)'],
    ['an operator object instead of a string', { email: { $gt: '' } }, 'email'],
  ])('answers 400 in the error contract for %s', async (_label, patch, path) => {
    const res = await h.http.post('/auth/register').send({ studioName: 'Bad Input', name: 'X', email: uniqueEmail(), ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it.each([
    ['a short password', { password: 'short' }, 'must be at least 10 characters'],
    ['a password over 72 bytes', { password: 'é'.repeat(37) }, 'must be at most 72 bytes (bcrypt ignores anything longer)'],
  ])('refuses %s for a new account with 400 on the link\'s page, and the link still works', async (_label, patch, message) => {
    const email = uniqueEmail('weak');
    expect((await h.http.post('/auth/register').send({ studioName: 'Weak Studio', name: 'W', email })).status).toBe(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
    const res = await h.http.post('/auth/verify-email').send({ token, ...patch });
    expect([res.status, res.body.error.code, res.body.error.details]).toEqual([400, 'VALIDATION_FAILED', [{ path: 'password', message }]]);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: email })).toBe(0);
    expect((await h.http.post('/auth/verify-email').send({ token, password: PASSWORD })).status).toBe(201);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const reg = { body: await givenStudio(h, 'Enum') };
    const unknown = await h.http.post('/auth/login').send({ email: uniqueEmail('ghost'), password: PASSWORD });
    const wrong = await h.http.post('/auth/login').send({ email: reg.body.user.email, password: 'wrong password 123' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    const strip = (b: { error: Record<string, unknown> }) => ({ ...b.error, correlationId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
  });
});
