// People, not addresses, are unique (issue 14, finding 4): studios add people by mailed invitation, one
// account holds memberships in several studios, and another studio learns nothing about an address.
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, invite, PASSWORD, plantToken, uniqueEmail, type Session } from './support/factories';
import { migrateAccounts } from '../src/app/repositories/migrations/accounts';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('invitations: a studio adds people by mailed, single-use, expiring links', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    h = await startHarness();
    a = await givenStudio(h, 'Studio A');
    b = await givenStudio(h, 'Studio B');
  });
  afterAll(() => h.close());

  it('end to end for a new person: invite, the mail arrives over SMTP, the link creates the account and joins the studio', async () => {
    const email = uniqueEmail('newcomer');
    const created = await h.http.post('/invitations').set(a.auth).send({ email, role: 'ARTIST' });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/invitations/${created.body.id}`);
    expect(created.body).toMatchObject({ email, role: 'ARTIST', status: 'PENDING', studioId: a.user.studioId, invitedBy: a.user.id, acceptedAt: null });
    expect(created.body).not.toHaveProperty('tokenHash');

    const mail = await h.mailbox.next(email);
    expect(mail.subject).toBe('Owner invited you to Studio A on Studio API');
    expect(mail.text).toContain('as ARTIST');
    const token = h.mailbox.tokenOf(mail, 'invitations');
    // Only the hash is stored.
    const stored = await h.container.models.Invitation.findById(created.body.id).lean();
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token);

    const preview = await h.http.get('/invitations/preview').query({ token });
    expect(preview.status).toBe(200);
    expect(preview.headers['cache-control']).toBe('no-store');
    expect(preview.body).toEqual({ studioName: 'Studio A', email, role: 'ARTIST', expiresAt: created.body.expiresAt, accountExists: false, account: 'new' });

    // A new account needs a name and a good password; a refusal changes nothing and keeps the link usable.
    const noName = await h.http.post('/invitations/accept').send({ token, password: PASSWORD });
    expect([noName.status, noName.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(noName.body.error.details.map((d: { path: string }) => d.path)).toEqual(['name']);
    const weak = await h.http.post('/invitations/accept').send({ token, name: 'Nia', password: 'short' });
    expect(weak.body.error.details.map((d: { path: string }) => d.path)).toEqual(['password']);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: email })).toBe(0);

    const accepted = await h.http.post('/invitations/accept').send({ token, name: 'Nia', password: PASSWORD });
    expect(accepted.status).toBe(201);
    expect(accepted.body.user).toMatchObject({ email, name: 'Nia', role: 'ARTIST', studioId: a.user.studioId, active: true });
    expect((await h.http.get('/assets').set(bearer(accepted.body.accessToken))).status).toBe(200);
    const account = await h.container.models.Account.findOne({ emailNormalized: email }).lean();
    expect(account?.emailVerifiedAt).toBeInstanceOf(Date);
    expect((await h.http.post('/auth/login').send({ email, password: PASSWORD })).body.user.studioId).toBe(a.user.studioId);

    // Single use, and the studio sees it accepted.
    const again = await h.http.post('/invitations/accept').send({ token, name: 'Nia', password: PASSWORD });
    expect([again.status, again.body.error.code]).toEqual([400, 'LINK_INVALID']);
    expect((await h.http.get('/invitations/preview').query({ token })).body.error.code).toBe('LINK_INVALID');
    const list = await h.http.get('/invitations').set(a.auth);
    expect(list.body.data.find((i: { id: string }) => i.id === created.body.id)).toMatchObject({ status: 'ACCEPTED', acceptedAt: expect.any(String) });
    const audit = await h.container.models.AuditEvent.find({ entityId: new Types.ObjectId(created.body.id as string) }).lean();
    expect(audit.map((e) => e.action).sort()).toEqual(['invitation.accepted', 'invitation.created']);
  });

  it('an admin-scoped token cannot invite anyone: no invitation, no mail, no person who outlives the token (issue 27, finding 11)', async () => {
    const owner = await givenStudio(h);
    const stolen = await plantToken(h, owner.user, ['admin']);
    const pending = await h.http.post('/invitations').set(owner.auth).send({ email: uniqueEmail('pending'), role: 'ARTIST' }).expect(201);
    const invitations = await h.container.models.Invitation.countDocuments({ studioId: new Types.ObjectId(owner.user.studioId) });
    const mails = h.mailbox.messages.length;
    for (const role of ['PRODUCER', 'DIRECTOR', 'ARTIST']) {
      const res = await h.http.post('/invitations').set(bearer(stolen.token)).send({ email: uniqueEmail('attacker'), role });
      expect({ role, status: res.status, code: res.body.error?.code }).toEqual({ role, status: 403, code: 'TOKEN_NOT_ALLOWED' });
    }
    expect(await h.container.models.Invitation.countDocuments({ studioId: new Types.ObjectId(owner.user.studioId) })).toBe(invitations);
    expect(h.mailbox.messages.length).toBe(mails);
    // Seeing and withdrawing pending invitations grant nothing, and stay open to the admin scope.
    expect((await h.http.get('/invitations').set(bearer(stolen.token))).status).toBe(200);
    expect((await h.http.delete(`/invitations/${pending.body.id}`).set(bearer(stolen.token))).body.status).toBe('REVOKED');
  });

  it('joins an existing account with its password, and the person switches between their two studios', async () => {
    const person = await givenStudio(h, 'Person Own Studio');
    const token = await invite(h, a, person.user.email.toUpperCase(), 'DIRECTOR');
    expect((await h.http.get('/invitations/preview').query({ token })).body).toMatchObject({ accountExists: true, account: 'existing' });

    const wrong = await h.http.post('/invitations/accept').send({ token, password: 'not my password 1' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const joined = await h.http.post('/invitations/accept').send({ token, password: PASSWORD });
    expect(joined.status).toBe(201);
    expect(joined.body.user).toMatchObject({ studioId: a.user.studioId, role: 'DIRECTOR', email: person.user.email });
    expect(await h.container.models.Account.countDocuments({ emailNormalized: person.user.email.toLowerCase() })).toBe(1);

    const studios = await h.http.get('/auth/studios').set(bearer(joined.body.accessToken));
    expect(studios.status).toBe(200);
    expect(studios.body.data).toHaveLength(2);
    expect(studios.body.data).toEqual(
      expect.arrayContaining([
        { studioId: a.user.studioId, studioName: 'Studio A', studioSlug: 'studio-a', studioCreatedAt: expect.any(String), userId: joined.body.user.id, role: 'DIRECTOR', current: true },
        expect.objectContaining({ studioId: person.user.studioId, studioName: 'Person Own Studio', role: 'PRODUCER', current: false }),
      ]),
    );

    // Switch to the own studio: a fresh session there, where the DIRECTOR of A is a PRODUCER.
    const own = await h.http.post('/auth/switch').set(bearer(joined.body.accessToken)).send({ studioId: person.user.studioId });
    expect(own.status).toBe(200);
    expect(own.body.user).toMatchObject({ studioId: person.user.studioId, role: 'PRODUCER' });
    const mine = await h.http.post('/assets').set(bearer(own.body.accessToken)).send({ name: 'Own prop', type: 'PROP' });
    expect(mine.status).toBe(201);
    // Each token stays in its studio: A's session cannot read the own studio's asset.
    expect((await h.http.get(`/assets/${mine.body.id}`).set(bearer(joined.body.accessToken))).status).toBe(404);
    // And back; a login without a studio lands where the person was last.
    const back = await h.http.post('/auth/switch').set(bearer(own.body.accessToken)).send({ studioId: a.user.studioId });
    expect(back.body.user).toMatchObject({ studioId: a.user.studioId, role: 'DIRECTOR' });
    expect((await h.http.post('/auth/login').send({ email: person.user.email, password: PASSWORD })).body.user.studioId).toBe(a.user.studioId);
    const chosen = await h.http.post('/auth/login').send({ email: person.user.email, password: PASSWORD, studioId: person.user.studioId });
    expect(chosen.body.user).toMatchObject({ studioId: person.user.studioId, role: 'PRODUCER' });

    // A studio the person is not in cannot be switched or signed in to.
    const foreign = await h.http.post('/auth/switch').set(bearer(own.body.accessToken)).send({ studioId: b.user.studioId });
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'STUDIO_NOT_FOUND']);
    const foreignLogin = await h.http.post('/auth/login').send({ email: person.user.email, password: PASSWORD, studioId: b.user.studioId });
    expect([foreignLogin.status, foreignLogin.body.error.code]).toEqual([404, 'STUDIO_NOT_FOUND']);
  });

  it('answers an address that has an account in another studio exactly like one that has none (no probing, no squatting)', async () => {
    const elsewhere = await givenMember(h, a, 'ARTIST');
    const nowhere = uniqueEmail('nobody');
    const probe = (email: string) => h.http.post('/invitations').set(b.auth).send({ email, role: 'ARTIST' });
    const known = await probe(elsewhere.user.email.toUpperCase());
    const unknown = await probe(nowhere);
    expect(known.status).toBe(201);
    expect(unknown.status).toBe(known.status);
    const shape = (body: Record<string, unknown>) => ({ ...body, id: typeof body.id, email: typeof body.email, expiresAt: typeof body.expiresAt, createdAt: typeof body.createdAt });
    expect(shape(known.body)).toEqual(shape(unknown.body));
    expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
    expect(known.body.status).toBe('PENDING');
    // The old way of adding people (and of probing) is gone: /users takes no POST any more.
    const old = await h.http.post('/users').set(b.auth).send({ email: nowhere, name: 'X', role: 'ARTIST', password: PASSWORD });
    expect([old.status, old.body.error.code]).toEqual([405, 'METHOD_NOT_ALLOWED']);

    // Both addresses got the same invitation mail; only their owners see it.
    const mails = [await h.mailbox.next(elsewhere.user.email), await h.mailbox.next(nowhere)];
    expect(mails.map((m) => m.subject)).toEqual(['Owner invited you to Studio B on Studio API', 'Owner invited you to Studio B on Studio API']);
    // B's invitation holds nothing: A invites the same person again and they keep both choices.
    const fromA = await invite(h, a, nowhere, 'DIRECTOR');
    const joined = await h.http.post('/invitations/accept').send({ token: fromA, name: 'Nobody', password: PASSWORD });
    expect(joined.body.user).toMatchObject({ studioId: a.user.studioId, role: 'DIRECTOR' });
  });

  it('answers 422 EMAIL_REJECTED, storing nothing, when the mail server refuses the address', async () => {
    h.mailbox.refused.add('no.such.user@studio.test');
    const res = await h.http.post('/invitations').set(a.auth).send({ email: 'No.Such.User@studio.test', role: 'ARTIST' });
    expect([res.status, res.body.error.code, res.body.error.details]).toEqual([422, 'EMAIL_REJECTED', [{ path: 'email', message: 'refused by the mail server' }]]);
    expect(await h.container.models.Invitation.countDocuments({ emailNormalized: 'no.such.user@studio.test' })).toBe(0);
  });

  it('tells a studio only about its own members', async () => {
    const member = await givenMember(h, a, 'ARTIST');
    const res = await h.http.post('/invitations').set(a.auth).send({ email: member.user.email, role: 'DIRECTOR' });
    expect([res.status, res.body.error.code]).toEqual([409, 'ALREADY_MEMBER']);
  });

  it('lets only PRODUCERs invite, list and withdraw; a withdrawn or expired link stops working; another studio\'s invitation is 404', async () => {
    const artist = await givenMember(h, a, 'ARTIST');
    const email = uniqueEmail('maybe');
    const denied = await h.http.post('/invitations').set(artist.auth).send({ email, role: 'PRODUCER' });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await h.http.get('/invitations').set(artist.auth)).status).toBe(403);
    expect(await h.container.models.Invitation.countDocuments({ emailNormalized: email })).toBe(0);

    const token = await invite(h, a, email, 'ARTIST');
    const pending = (await h.http.get('/invitations').set(a.auth).query({ limit: 1 })).body.data[0];
    expect(pending).toMatchObject({ email, status: 'PENDING' });
    expect((await h.http.delete(`/invitations/${pending.id}`).set(b.auth)).status).toBe(404);
    const revoked = await h.http.delete(`/invitations/${pending.id}`).set(a.auth);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('REVOKED');
    expect((await h.http.delete(`/invitations/${pending.id}`).set(a.auth)).body.error.code).toBe('INVITATION_CLOSED');
    const late = await h.http.post('/invitations/accept').send({ token, name: 'Late', password: PASSWORD });
    expect([late.status, late.body.error.code]).toEqual([400, 'LINK_INVALID']);

    const expiring = uniqueEmail('expiring');
    const expiredToken = await invite(h, a, expiring, 'ARTIST');
    await h.container.models.Invitation.updateMany({ emailNormalized: expiring }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await h.http.post('/invitations/accept').send({ token: expiredToken, name: 'E', password: PASSWORD })).body.error.code).toBe('LINK_INVALID');
    expect((await h.http.get('/invitations').set(a.auth).query({ limit: 1 })).body.data[0]).toMatchObject({ email: expiring, status: 'EXPIRED' });
    expect(await h.container.models.Account.countDocuments({ emailNormalized: { $in: [email, expiring] } })).toBe(0);
  });

  it('a new password ends the person\'s sessions in every studio', async () => {
    const person = await givenStudio(h, 'Password Studio');
    const token = await invite(h, b, person.user.email, 'ARTIST');
    const inB = (await h.http.post('/invitations/accept').send({ token, password: PASSWORD })).body;
    const changed = await h.http.post('/auth/password').set(person.auth).send({ currentPassword: PASSWORD, newPassword: 'a new password 22' });
    expect(changed.status).toBe(200);
    const old = await h.http.get('/auth/me').set(bearer(inB.accessToken));
    expect([old.status, old.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
    expect((await h.http.post('/auth/refresh').send({ refreshToken: inB.refreshToken })).status).toBe(401);
    const relog = await h.http.post('/auth/login').send({ email: person.user.email, password: 'a new password 22', studioId: b.user.studioId });
    expect(relog.body.user).toMatchObject({ studioId: b.user.studioId, role: 'ARTIST' });
  });
});

describe('invitations: when mail cannot be sent', () => {
  let h: Harness;
  beforeAll(async () => {
    // A port nothing listens on: the SMTP connection is refused.
    h = await startHarness({ SMTP_URL: 'smtp://127.0.0.1:9', MAIL_SEND_TIMEOUT_MS: '2000' });
  });
  afterAll(() => h.close());

  it('answers 503 MAIL_UNAVAILABLE and keeps nothing, for registrations and invitations', async () => {
    const email = uniqueEmail('unmailed');
    const reg = await h.http.post('/auth/register').send({ studioName: 'Unmailed', name: 'U', email });
    expect([reg.status, reg.body.error.code]).toEqual([503, 'MAIL_UNAVAILABLE']);
    expect(await h.container.models.Registration.countDocuments({})).toBe(0);
    // A studio made directly (the mail path is what is under test), then an invitation from it.
    const studio = await h.container.repos.studios.create({ name: 'Direct', slug: 'direct' });
    const account = await h.container.repos.accounts.create({ email: uniqueEmail('direct'), name: 'D', passwordHash: await h.container.passwords.hash(PASSWORD), emailVerifiedAt: new Date() });
    await h.container.repos.users.create(studio._id, { accountId: account._id, email: account.email, name: 'D', role: 'PRODUCER' });
    const login = await h.http.post('/auth/login').send({ email: account.email, password: PASSWORD });
    const inv = await h.http.post('/invitations').set(bearer(login.body.accessToken)).send({ email, role: 'ARTIST' });
    expect([inv.status, inv.body.error.code]).toEqual([503, 'MAIL_UNAVAILABLE']);
    expect(await h.container.models.Invitation.countDocuments({})).toBe(0);
  });
});

describe('migration to accounts: existing users keep working, idempotently', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('links every legacy user to one account per address, drops the old unique address index, and can run again', async () => {
    const users = h.container.models.User.collection;
    const studioId = new Types.ObjectId();
    const passwordHash = await h.container.passwords.hash(PASSWORD);
    // The shape main wrote before issue 14: the person inside the membership, the address unique everywhere.
    await users.dropIndex('accountId_1_studioId_1');
    await users.createIndex({ emailNormalized: 1 }, { unique: true });
    const legacy = [
      { _id: new Types.ObjectId(), studioId, email: 'Legacy.One@Studio.test', emailNormalized: 'legacy.one@studio.test', name: 'One', passwordHash, role: 'PRODUCER', active: true, sessionVersion: 0, createdAt: new Date(), updatedAt: new Date() },
      { _id: new Types.ObjectId(), studioId, email: 'legacy.two@studio.test', emailNormalized: 'legacy.two@studio.test', name: 'Two', passwordHash, role: 'ARTIST', active: true, sessionVersion: 0, createdAt: new Date(), updatedAt: new Date() },
    ];
    await users.insertMany(legacy);
    await h.container.repos.studios.create({ name: 'Legacy', slug: `legacy-${studioId.toHexString()}` }).then((s) => users.updateMany({ studioId }, { $set: { studioId: s._id } }));

    expect(await migrateAccounts(h.container.models)).toBe(2);
    expect(await migrateAccounts(h.container.models)).toBe(0);
    await h.container.models.User.createIndexes();
    const indexes = (await users.indexes()).map((i) => i.name);
    expect(indexes).not.toContain('emailNormalized_1');
    const accounts = await h.container.models.Account.find({ emailNormalized: { $in: ['legacy.one@studio.test', 'legacy.two@studio.test'] } }).lean();
    expect(accounts).toHaveLength(2);
    for (const account of accounts) {
      expect(account.passwordHash).toBe(passwordHash);
      // Never proven: the addresses were not verified before.
      expect(account.emailVerifiedAt ?? null).toBeNull();
    }
    const migrated = await users.find({ _id: { $in: legacy.map((u) => u._id) } }).toArray();
    for (const u of migrated) {
      expect(u.accountId).toBeInstanceOf(Types.ObjectId);
      expect(u).not.toHaveProperty('passwordHash');
      expect(u).not.toHaveProperty('emailNormalized');
    }
    // They sign in as before, with any letter case.
    const login = await h.http.post('/auth/login').send({ email: 'LEGACY.ONE@studio.test', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: String(legacy[0]!._id), role: 'PRODUCER', email: 'Legacy.One@Studio.test' });
  });
});
