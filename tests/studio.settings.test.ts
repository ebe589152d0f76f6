// Studio settings belong to the studio's PRODUCERs; every change is audited.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio } from './support/factories';

describe('studio settings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('lets a PRODUCER change them, answers with the studio and records who changed what', async () => {
    const producer = await givenStudio(h, 'Settings Studio');
    const res = await h.http.patch('/studio/settings').set(producer.auth).send({ autoRender: true }).expect(200);
    expect(res.body).toEqual({ id: producer.user.studioId, name: 'Settings Studio', slug: 'settings-studio', settings: { autoRender: true } });
    const audit = await h.container.models.AuditEvent.findOne({ entityId: producer.user.studioId, action: 'studio.settings_updated' }).lean();
    expect(audit).toMatchObject({ entity: 'studio', details: { from: { autoRender: false }, to: { autoRender: true } } });
    expect(String(audit!.actorId)).toBe(producer.user.id);
  });

  it('refuses an ARTIST with 403 and changes nothing', async () => {
    const producer = await givenStudio(h);
    const artist = await givenMember(h, producer, 'ARTIST');
    const res = await h.http.patch('/studio/settings').set(artist.auth).send({ autoRender: true });
    expect([res.status, res.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await h.container.models.Studio.findById(producer.user.studioId).lean())!.settings.autoRender).toBe(false);
    expect(await h.container.models.AuditEvent.countDocuments({ entityId: producer.user.studioId, action: 'studio.settings_updated' })).toBe(0);
  });
});
