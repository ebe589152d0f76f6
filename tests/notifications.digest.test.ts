// Email digests of unread notifications (issue 28): a member chooses off, hourly or daily; when their digest is
// due, one mail lists what came in their period and is still unread, through the mailer; once per period, never
// for read ones, never to another studio's people, nothing when there is nothing to say.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, type Session } from './support/factories';
import { waitFor } from './support/workers';

const HOUR = 3_600_000;

describe('notification digests', () => {
  let h: Harness;
  let producer: Session;
  let director: Session;
  let quiet: Session;
  let artist: Session;
  let other: Session;

  beforeAll(async () => {
    // The test runs the rounds itself, at the times it chooses.
    h = await startHarness({ RATE_LIMIT_MAX: '100000', NOTIFICATION_DIGEST_SWEEP_MS: '0' });
    producer = await givenStudio(h, 'Digest Studio');
    director = await givenMember(h, producer, 'DIRECTOR');
    quiet = await givenMember(h, producer, 'DIRECTOR');
    artist = await givenMember(h, producer, 'ARTIST');
    other = await givenMember(h, await givenStudio(h, 'Elsewhere'), 'DIRECTOR');
  });
  afterAll(() => h.close());

  const mailsTo = (s: Session) => h.mailbox.messages.filter((m) => m.to.some((t) => t.toLowerCase() === s.user.email.toLowerCase()) && m.subject.includes('unread notification'));

  it('sends a member who asked for a daily digest one mail with their unread notifications of the day, once', async () => {
    const before = Date.now();
    const set = (await h.http.put('/notifications/digest').set(director.auth).send({ frequency: 'DAILY' }).expect(200)).body;
    expect(set.frequency).toBe('DAILY');
    expect(Date.parse(set.nextAt) - before).toBeGreaterThanOrEqual(24 * HOUR - 1000);
    expect((await h.http.get('/notifications/digest').set(director.auth).expect(200)).body).toEqual(set);
    expect((await h.http.get('/notifications/digest').set(quiet.auth).expect(200)).body).toEqual({ frequency: 'OFF', nextAt: null });
    await h.http.put('/notifications/digest').set(other.auth).send({ frequency: 'HOURLY' }).expect(200);

    // Two submissions tell both directors; the director reads one of them.
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Digest show', code: 'DIG' }).expect(201)).body;
    const seq = (await h.http.post(`/projects/${project.id}/sequences`).set(director.auth).send({ code: 'SQ010' }).expect(201)).body;
    const type = ((await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string }>).find((t) => t.name === 'Animation')!.id;
    for (const code of ['SH0010', 'SH0020']) {
      const shot = (await h.http.post(`/sequences/${seq.id}/shots`).set(director.auth).send({ code, frameIn: 1001, frameOut: 1024 }).expect(201)).body;
      const task = (await h.http.post('/tasks').set(producer.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: type, assignees: [artist.user.id] }).expect(201)).body;
      await h.http.post(`/assets/${shot.assetId}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), `${code}.fbx`).expect(201);
      await h.http.patch(`/tasks/${task.id}`).set(artist.auth).send({ status: 'WIP' }).expect(200);
      await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    }
    const notes = await waitFor('both review requests', async () => {
      const list = (await h.http.get('/notifications').set(director.auth)).body.data as Array<{ id: string; text: string }>;
      return list.length >= 2 ? list : undefined;
    }, 5000, 50);
    const read = notes.find((n) => n.text.startsWith('SH0010'))!;
    await h.http.post(`/notifications/${read.id}/read`).set(director.auth).expect(200);

    // Not due yet: nothing goes out.
    expect(await h.container.sendNotificationDigests(new Date(Date.now() + HOUR))).toBe(0);
    expect(mailsTo(director)).toEqual([]);

    // Due: one mail, the unread one listed, the read one not; the other studio's director had nothing to hear.
    const due = new Date(Date.now() + 24 * HOUR + 60_000);
    expect(await h.container.sendNotificationDigests(due)).toBe(1);
    const mail = await h.mailbox.next(director.user.email);
    expect(mail.subject).toBe('1 unread notification in Digest Studio');
    expect(mail.text).toContain('- SH0020 Animation v1 is waiting for your review');
    expect(mail.text).not.toContain('SH0010');
    expect(mail.links.some((l) => new URL(l).pathname === '/app/notifications')).toBe(true);
    expect(mailsTo(quiet)).toEqual([]);
    expect(mailsTo(other)).toEqual([]);
    expect(mailsTo(artist)).toEqual([]);

    // The same round again (another instance, or a second tick) sends nothing more; the next is a day on.
    expect(await h.container.sendNotificationDigests(due)).toBe(0);
    expect(mailsTo(director)).toHaveLength(1);
    const after = (await h.http.get('/notifications/digest').set(director.auth).expect(200)).body;
    expect(Date.parse(after.nextAt)).toBeGreaterThan(due.getTime());
    // Nothing new since: the next day's round stays silent.
    expect(await h.container.sendNotificationDigests(new Date(Date.parse(after.nextAt) + 1000))).toBe(0);
    expect(mailsTo(director)).toHaveLength(1);
  });

  it('turns off, and refuses a frequency it does not know, saying which field', async () => {
    expect((await h.http.put('/notifications/digest').set(director.auth).send({ frequency: 'OFF' }).expect(200)).body).toEqual({ frequency: 'OFF', nextAt: null });
    const bad = await h.http.put('/notifications/digest').set(director.auth).send({ frequency: 'WEEKLY' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('frequency');
    expect((await h.http.get('/notifications/digest').set(director.auth).expect(200)).body.frequency).toBe('OFF');
  });
});
