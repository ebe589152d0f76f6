// Registration cannot take over anyone's account (issue 27, finding 1): nobody types a password for an
// address they do not read (it is chosen on the mailed link's page, by the mailbox's owner), no request
// silently drops mail to an address, a link does nothing until its holder submits, an account from before
// addresses were proven is taken back by its mailbox, and a link opened by someone else signs nobody in.
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenStudio, PASSWORD, uniqueEmail } from './support/factories';
import { hashRefreshToken } from '../src/app/services/TokenService';
import { MIGRATIONS_DIR } from '../src/infra/database/migrations';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const withoutPasswords = require(`${MIGRATIONS_DIR}/20261207000000-registrations-without-passwords.js`) as { up(db: unknown): Promise<void> };

const ATTACKER_PASSWORD = 'attacker chosen password';
const VICTIM_PASSWORD = 'the victim own password';
const WEB = { 'X-Studio-Client': 'web' };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** trust proxy is `loopback`, so a request from the test may name any client address. */
const from = (h: Harness, ip: string) => ({
  register: (body: Record<string, unknown>) => h.http.post('/auth/register').set('X-Forwarded-For', ip).send(body),
  preview: (token: string) => h.http.get('/auth/verify-email/preview').set('X-Forwarded-For', ip).query({ token }),
  verify: (body: Record<string, unknown>, headers: Record<string, string> = {}) => h.http.post('/auth/verify-email').set('X-Forwarded-For', ip).set(headers).send(body),
  login: (email: string, password: string) => h.http.post('/auth/login').set('X-Forwarded-For', ip).send({ email, password }),
});

const setCookies = (res: { headers: Record<string, unknown> }) => (res.headers['set-cookie'] as string[] | undefined) ?? [];

describe('registration: a stranger\'s pre-registration gives them nothing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('the whole attack: the attacker pre-registers the victim\'s address, the victim still gets mail, follows the attacker\'s link and owns the account', async () => {
    const victim = uniqueEmail('victim');
    const attacker = from(h, '198.51.100.66');
    // There is no field for the attacker's password any more.
    const withPassword = await attacker.register({ studioName: 'Attacker Co', name: 'Victim', email: victim, password: ATTACKER_PASSWORD });
    expect([withPassword.status, withPassword.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    // Three times, as in the report: the first is mailed, the next two are refused to the attacker (told, not dropped).
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await attacker.register({ studioName: 'Attacker Co', name: 'Victim', email: victim }));
    expect(tries.map((r) => r.status)).toEqual([202, 429, 429]);
    expect(tries[1]!.body.error.code).toBe('REGISTRATION_RECENTLY_MAILED');
    expect(Number(tries[1]!.headers['retry-after'])).toBeGreaterThan(0);
    // From other networks it is mailed too: there is no per-address cap left to fill.
    for (const ip of ['198.51.100.67', '198.51.100.68']) expect((await from(h, ip).register({ studioName: 'Attacker Co', name: 'Victim', email: victim })).status).toBe(202);
    const attackerMails = [await h.mailbox.next(victim), await h.mailbox.next(victim), await h.mailbox.next(victim)];

    // The victim registers: the normal answer, and this time a mail really arrives.
    const own = await from(h, '203.0.113.10').register({ studioName: 'Victim Films', name: 'Vera', email: victim });
    expect(own.status).toBe(202);
    const ownMail = await h.mailbox.next(victim);
    expect(ownMail.subject).toBe('Confirm your address to create Victim Films on Studio API');
    expect(ownMail.text).toContain('you choose your password');

    // The victim follows one of the attacker's links instead: the page shows what it will do and asks for a password.
    const attackerLink = h.mailbox.tokenOf(attackerMails[0]!, 'verify-email');
    const preview = await from(h, '203.0.113.10').preview(attackerLink);
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ email: victim, studioName: 'Attacker Co', name: 'Victim', expiresAt: expect.any(String), account: 'new' });
    const made = await from(h, '203.0.113.10').verify({ token: attackerLink, password: VICTIM_PASSWORD, name: 'Vera', studioName: 'Victim Films' });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({ email: victim, name: 'Vera', role: 'PRODUCER' });
    const asset = await h.http.post('/assets').set(bearer(made.body.accessToken)).send({ name: 'Secret pitch', type: 'PROP' });
    expect(asset.status).toBe(201);

    // The attacker has no credential for it; the victim's own password is the account's.
    expect((await attacker.login(victim, ATTACKER_PASSWORD)).status).toBe(401);
    const back = await from(h, '203.0.113.10').login(victim, VICTIM_PASSWORD);
    expect(back.status).toBe(200);
    expect(back.body.user.studioId).toBe(made.body.user.studioId);
    const studio = await h.container.models.Studio.findById(made.body.user.studioId).lean();
    expect(studio?.name).toBe('Victim Films');

    // The other pending links now meet a confirmed account: they ask for its password and never change it.
    const later = h.mailbox.tokenOf(attackerMails[1]!, 'verify-email');
    expect((await from(h, '203.0.113.10').preview(later)).body.account).toBe('existing');
    const guessed = await attacker.verify({ token: later, password: ATTACKER_PASSWORD });
    expect([guessed.status, guessed.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    expect((await attacker.login(victim, ATTACKER_PASSWORD)).status).toBe(401);
    expect((await from(h, '203.0.113.10').login(victim, VICTIM_PASSWORD)).status).toBe(200);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: victim })).toBe(1);
  });

  it('one mail per address per client each interval: sooner is 429 for that client only, later a new link replaces the old one', async () => {
    const person = uniqueEmail('person');
    const client = from(h, '198.51.100.70');
    expect((await client.register({ studioName: 'First Try', name: 'P', email: person })).status).toBe(202);
    const first = h.mailbox.tokenOf(await h.mailbox.next(person), 'verify-email');
    const soon = await client.register({ studioName: 'Second Try', name: 'P', email: person });
    expect([soon.status, soon.body.error.code]).toEqual([429, 'REGISTRATION_RECENTLY_MAILED']);
    expect(soon.body.error.message).toMatch(/mailed to this address from your network less than 10 minutes ago/);
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(500);
    expect(Number(soon.headers['retry-after'])).toBeLessThanOrEqual(600);
    await expect(h.mailbox.next(person, 300)).rejects.toThrow(/no mail to/);
    // Another client is never held back by this one.
    expect((await from(h, '203.0.113.20').register({ studioName: 'Elsewhere', name: 'P', email: person })).status).toBe(202);
    await h.mailbox.next(person);

    // Past the interval the same client gets a fresh link, and its earlier one stops working.
    await h.container.models.Registration.updateMany({ emailNormalized: person }, { $set: { mailedAt: new Date(Date.now() - 11 * 60_000) } });
    expect((await client.register({ studioName: 'Third Try', name: 'P', email: person })).status).toBe(202);
    const third = h.mailbox.tokenOf(await h.mailbox.next(person), 'verify-email');
    expect((await client.preview(first)).body.error.code).toBe('LINK_INVALID');
    expect((await client.preview(third)).body.studioName).toBe('Third Try');
    // One pending link per client, not a pile: this client's and the other client's.
    expect(await h.container.models.Registration.countDocuments({ emailNormalized: person })).toBe(2);
  });

  it('does nothing until the link\'s holder submits: previews change nothing, a submit without a password is refused and the link still works', async () => {
    const email = uniqueEmail('careful');
    expect((await h.http.post('/auth/register').send({ studioName: 'Careful Studio', name: 'C', email })).status).toBe(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(email), 'verify-email');
    for (let i = 0; i < 3; i++) {
      const preview = await h.http.get('/auth/verify-email/preview').query({ token });
      expect(preview.status).toBe(200);
      expect(preview.headers['cache-control']).toBe('no-store');
      expect(setCookies(preview)).toEqual([]);
    }
    // What the page did on load before: post the token alone.
    const bare = await h.http.post('/auth/verify-email').set(WEB).send({ token });
    expect([bare.status, bare.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bare.body.error.details.map((d: { path: string }) => d.path)).toEqual(['password']);
    const weak = await h.http.post('/auth/verify-email').send({ token, password: 'short' });
    expect(weak.body.error.details).toEqual([{ path: 'password', message: 'must be at least 10 characters' }]);
    expect(await h.container.models.Studio.countDocuments({ name: 'Careful Studio' })).toBe(0);
    expect(await h.container.models.Account.countDocuments({ emailNormalized: email })).toBe(0);
    expect(await h.container.models.Registration.countDocuments({ emailNormalized: email })).toBe(1);
    const made = await h.http.post('/auth/verify-email').send({ token, password: PASSWORD });
    expect(made.status).toBe(201);
    expect((await h.http.get('/auth/verify-email/preview').query({ token })).body.error.code).toBe('LINK_INVALID');
  });

  it('a link mailed before this release (with the password its requester typed) still needs the password chosen on its page; the migration removes the stored hashes', async () => {
    const victim = uniqueEmail('before');
    const link = randomBytes(32).toString('base64url');
    // The shape main stored: the requester's password hash, no requester or mail time.
    await h.container.models.Registration.collection.insertOne({ tokenHash: hashRefreshToken(link), email: victim, emailNormalized: victim, name: 'V', studioName: 'Old Pending', passwordHash: await h.container.passwords.hash(ATTACKER_PASSWORD), expiresAt: new Date(Date.now() + 3_600_000), createdAt: new Date() });
    await withoutPasswords.up(h.container.mongo.db);
    await withoutPasswords.up(h.container.mongo.db);
    const stored = await h.container.models.Registration.collection.findOne({ emailNormalized: victim });
    expect(stored).not.toBeNull();
    expect(stored).not.toHaveProperty('passwordHash');
    expect((await h.http.post('/auth/verify-email').send({ token: link })).status).toBe(400);
    expect((await h.http.post('/auth/verify-email').send({ token: link, password: VICTIM_PASSWORD })).status).toBe(201);
    expect((await h.http.post('/auth/login').send({ email: victim, password: ATTACKER_PASSWORD })).status).toBe(401);
    expect((await h.http.post('/auth/login').send({ email: victim, password: VICTIM_PASSWORD })).status).toBe(200);
  });

  it('an existing account\'s link needs that account\'s password; wrong guesses leave it usable and count in the login throttle', async () => {
    const owner = await givenStudio(h, 'Owner Home');
    const client = from(h, '198.51.100.80');
    expect((await client.register({ studioName: 'Owner Second', name: 'O', email: owner.user.email })).status).toBe(202);
    const mail = await h.mailbox.next(owner.user.email);
    expect(mail.text).toContain('sign in there with your account\'s password');
    const token = h.mailbox.tokenOf(mail, 'verify-email');
    expect((await client.preview(token)).body.account).toBe('existing');
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await client.verify({ token, password: `wrong guess ${i}` })).status);
    // AUTH_FAILURES_PER_CLIENT (5): then this client is slowed to the login throttle's pace on this account.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await h.container.models.Studio.countDocuments({ name: 'Owner Second' })).toBe(0);
    const joined = await from(h, '203.0.113.80').verify({ token, password: PASSWORD });
    expect(joined.status).toBe(201);
    expect(joined.body.user).toMatchObject({ email: owner.user.email, role: 'PRODUCER' });
  });
});

describe('invitations: an existing account\'s password is guessed no faster through an invitation link', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('counts wrong passwords on POST /invitations/accept in the login throttle of the invited account', async () => {
    const inviter = await givenStudio(h, 'Throttled Inviter');
    const person = await givenStudio(h, 'Person Home');
    expect((await h.http.post('/invitations').set(inviter.auth).send({ email: person.user.email, role: 'ARTIST' })).status).toBe(201);
    const token = h.mailbox.tokenOf(await h.mailbox.next(person.user.email), 'invitations');
    const accept = (ip: string, password: string) => h.http.post('/invitations/accept').set('X-Forwarded-For', ip).send({ token, password });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await accept('198.51.100.120', `wrong guess ${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await accept('203.0.113.120', PASSWORD)).status).toBe(201);
  });
});

describe('registration: limits count requesters, never addresses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REGISTRATIONS_PER_CLIENT_PER_HOUR: '3', REGISTRATIONS_PER_HOUR: '5' });
  });
  afterAll(() => h.close());

  it('refuses a client past its hourly budget and everyone past the global one, each with 429 and Retry-After', async () => {
    const one = from(h, '198.51.100.90');
    for (let i = 0; i < 3; i++) expect((await one.register({ studioName: `Many ${i}`, name: 'M', email: uniqueEmail('many') })).status).toBe(202);
    const fourth = await one.register({ studioName: 'Many 3', name: 'M', email: uniqueEmail('many') });
    expect([fourth.status, fourth.body.error.code]).toEqual([429, 'REGISTRATION_RATE_LIMITED']);
    expect(fourth.body.error.message).toMatch(/^Too many studios were asked for from your network this hour; try again in (\d+ minutes?|1 hour)$/);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    const two = from(h, '203.0.113.90');
    for (let i = 0; i < 2; i++) expect((await two.register({ studioName: `Other ${i}`, name: 'O', email: uniqueEmail('other') })).status).toBe(202);
    const busy = await from(h, '192.0.2.90').register({ studioName: 'Late', name: 'L', email: uniqueEmail('late') });
    expect([busy.status, busy.body.error.code]).toEqual([429, 'REGISTRATIONS_BUSY']);
    expect(await h.container.models.Registration.countDocuments({})).toBe(5);
  });
});

describe('registration: an account from before addresses were proven is taken back by its mailbox', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  /** What migrateAccounts leaves for a legacy user: an account never confirmed, whose password whoever made it chose. */
  async function legacyAccount(email: string, password: string) {
    const studio = await h.container.repos.studios.create({ name: 'Squatted Studio', slug: `squatted-${randomBytes(3).toString('hex')}` });
    const account = await h.container.repos.accounts.create({ email, name: 'Squatter', passwordHash: await h.container.passwords.hash(password), emailVerifiedAt: null, lastStudioId: studio._id });
    const member = await h.container.repos.users.create(studio._id, { accountId: account._id, email, name: 'Squatter', role: 'PRODUCER' });
    // The squatter's personal API token, as POST /tokens makes it.
    const raw = `sapi_${randomBytes(32).toString('base64url')}`;
    await h.container.repos.apiTokens.create({ studioId: studio._id, userId: member._id, name: 'squatter script', hint: raw.slice(-4), tokenHash: hashRefreshToken(raw), scopes: ['assets:read'], expiresAt: null, createdBy: member._id });
    return { studio, account, apiToken: raw };
  }

  /** The squatter signed in and using the token, before the owner acts. */
  async function squatterSignedIn(email: string, apiToken: string) {
    const session = await h.http.post('/auth/login').send({ email, password: ATTACKER_PASSWORD });
    expect(session.status).toBe(200);
    expect((await h.http.get('/assets').set(bearer(apiToken))).status).toBe(200);
    return session.body as { accessToken: string; refreshToken: string };
  }

  async function squatterLockedOut(email: string, session: { accessToken: string; refreshToken: string }, apiToken: string) {
    expect((await h.http.post('/auth/login').send({ email, password: ATTACKER_PASSWORD })).status).toBe(401);
    const old = await h.http.get('/auth/me').set(bearer(session.accessToken));
    expect([old.status, old.body.error.code]).toEqual([401, 'SESSION_REVOKED']);
    expect((await h.http.post('/auth/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
    const script = await h.http.get('/assets').set(bearer(apiToken));
    expect([script.status, script.body.error.code]).toEqual([401, 'TOKEN_REVOKED']);
  }

  it('through registration: the link sets a new password, and the old password, sessions and tokens stop working', async () => {
    const victim = uniqueEmail('legacy');
    const { studio, apiToken } = await legacyAccount(victim, ATTACKER_PASSWORD);
    const squatter = await squatterSignedIn(victim, apiToken);

    expect((await h.http.post('/auth/register').send({ studioName: 'Rightful Studio', name: 'Rita', email: victim })).status).toBe(202);
    const mail = await h.mailbox.next(victim);
    expect(mail.text).toContain('from before addresses were confirmed');
    const token = h.mailbox.tokenOf(mail, 'verify-email');
    expect((await h.http.get('/auth/verify-email/preview').query({ token })).body.account).toBe('unconfirmed');
    // The old password is not asked for (the owner does not know it) and a weak new one is refused.
    const weak = await h.http.post('/auth/verify-email').send({ token, password: 'short' });
    expect(weak.body.error.details).toEqual([{ path: 'password', message: 'must be at least 10 characters' }]);
    const made = await h.http.post('/auth/verify-email').send({ token, password: VICTIM_PASSWORD });
    expect(made.status).toBe(201);

    await squatterLockedOut(victim, squatter, apiToken);
    const owner = await h.http.post('/auth/login').send({ email: victim, password: VICTIM_PASSWORD });
    expect(owner.status).toBe(200);
    const studios = await h.http.get('/auth/studios').set(bearer(owner.body.accessToken));
    expect(studios.body.data.map((m: { studioName: string }) => m.studioName).sort()).toEqual(['Rightful Studio', 'Squatted Studio']);
    const account = await h.container.models.Account.findOne({ emailNormalized: victim }).lean();
    expect(account?.emailVerifiedAt).toBeInstanceOf(Date);
    const audit = await h.container.models.AuditEvent.find({ studioId: studio._id, action: 'user.address_confirmed' }).lean();
    expect(audit).toHaveLength(1);
  });

  it('through an invitation: accepting sets a new password instead of asking for the squatter\'s', async () => {
    const inviter = await givenStudio(h, 'Inviting Studio');
    const victim = uniqueEmail('legacy-invited');
    const { apiToken } = await legacyAccount(victim, ATTACKER_PASSWORD);
    const squatter = await squatterSignedIn(victim, apiToken);

    expect((await h.http.post('/invitations').set(inviter.auth).send({ email: victim, role: 'ARTIST' })).status).toBe(201);
    const token = h.mailbox.tokenOf(await h.mailbox.next(victim), 'invitations');
    const preview = await h.http.get('/invitations/preview').query({ token });
    expect(preview.body).toMatchObject({ accountExists: true, account: 'unconfirmed' });
    const accepted = await h.http.post('/invitations/accept').send({ token, password: VICTIM_PASSWORD });
    expect(accepted.status).toBe(201);
    expect(accepted.body.user).toMatchObject({ email: victim, role: 'ARTIST', studioId: inviter.user.studioId });

    await squatterLockedOut(victim, squatter, apiToken);
    expect((await h.http.post('/auth/login').send({ email: victim, password: VICTIM_PASSWORD, studioId: inviter.user.studioId })).status).toBe(200);
  });
});

describe('registration: someone else\'s link signs nobody in to the other party\'s account (login CSRF)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const crossSite = { ...WEB, 'Sec-Fetch-Site': 'cross-site', Origin: 'https://attacker.example' };

  it('refuses a cross-site cookie-mode follow before the link is spent, and a cross-site cookie-mode login', async () => {
    const mine = uniqueEmail('attacker-own');
    expect((await h.http.post('/auth/register').send({ studioName: 'Trap Studio', name: 'A', email: mine })).status).toBe(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(mine), 'verify-email');
    // The attacker's page makes the victim's browser post the attacker's link with a password the attacker chose.
    for (const headers of [crossSite, { ...WEB, 'Sec-Fetch-Site': 'same-site' }, { ...WEB, Origin: 'https://attacker.example' }]) {
      const forged = await h.http.post('/auth/verify-email').set(headers).send({ token, password: ATTACKER_PASSWORD });
      expect([forged.status, forged.body.error.code]).toEqual([403, 'CSRF_REFUSED']);
      expect(setCookies(forged)).toEqual([]);
    }
    expect(await h.container.models.Studio.countDocuments({ name: 'Trap Studio' })).toBe(0);
    expect((await h.http.get('/auth/verify-email/preview').query({ token })).status).toBe(200);

    const known = await givenStudio(h, 'Attacker Home', uniqueEmail('attacker'), ATTACKER_PASSWORD);
    const login = await h.http.post('/auth/login').set(crossSite).send({ email: known.user.email, password: ATTACKER_PASSWORD });
    expect([login.status, login.body.error.code]).toEqual([403, 'CSRF_REFUSED']);
    expect(setCookies(login)).toEqual([]);
    // The web app's own requests still work.
    const own = await h.http.post('/auth/verify-email').set({ ...WEB, 'Sec-Fetch-Site': 'same-origin' }).send({ token, password: PASSWORD });
    expect(own.status).toBe(201);
    expect(setCookies(own).some((c) => c.startsWith('studio_refresh='))).toBe(true);
  });

  it('an opened link of the attacker\'s existing account asks for that account\'s password: the victim cannot be put in it', async () => {
    const attacker = await givenStudio(h, 'Attacker Base', uniqueEmail('attacker'), ATTACKER_PASSWORD);
    expect((await h.http.post('/auth/register').send({ studioName: 'Shared Dailies', name: 'A', email: attacker.user.email })).status).toBe(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(attacker.user.email), 'verify-email');
    // The victim opens it: the page says whose address it is and what it asks for; nothing happened yet.
    const preview = await h.http.get('/auth/verify-email/preview').query({ token });
    expect(preview.body).toMatchObject({ email: attacker.user.email, account: 'existing' });
    const typed = await h.http.post('/auth/verify-email').set(WEB).send({ token, password: VICTIM_PASSWORD });
    expect([typed.status, typed.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    expect(setCookies(typed)).toEqual([]);
    expect(await h.container.models.Studio.countDocuments({ name: 'Shared Dailies' })).toBe(0);
  });

  it('an opened link of an address without an account: the password the victim types is one the attacker never learns, and the attacker\'s mailbox cannot reset it', async () => {
    const attackerMail = uniqueEmail('attacker-fresh');
    expect((await h.http.post('/auth/register').send({ studioName: 'Bait Studio', name: 'A', email: attackerMail })).status).toBe(202);
    const token = h.mailbox.tokenOf(await h.mailbox.next(attackerMail), 'verify-email');
    const made = await h.http.post('/auth/verify-email').set(WEB).send({ token, password: VICTIM_PASSWORD });
    expect(made.status).toBe(201);
    expect((await h.http.post('/assets').set(bearer(made.body.accessToken)).send({ name: 'Victim upload', type: 'PROP' })).status).toBe(201);

    // The attacker reads the mailbox, but a proven mailbox never sets a confirmed account's password.
    expect((await h.http.post('/auth/register').set('X-Forwarded-For', '198.51.100.99').send({ studioName: 'Bait Again', name: 'A', email: attackerMail })).status).toBe(202);
    const again = h.mailbox.tokenOf(await h.mailbox.next(attackerMail), 'verify-email');
    expect((await h.http.post('/auth/verify-email').send({ token: again, password: ATTACKER_PASSWORD })).status).toBe(401);
    expect((await h.http.post('/auth/login').send({ email: attackerMail, password: ATTACKER_PASSWORD })).status).toBe(401);
    const account = await h.container.models.Account.findOne({ emailNormalized: attackerMail }).lean();
    expect(await h.container.passwords.verify(VICTIM_PASSWORD, account!.passwordHash)).toBe(true);
    expect(await h.container.models.User.countDocuments({ accountId: new Types.ObjectId(String(account!._id)) })).toBe(1);
  });
});
