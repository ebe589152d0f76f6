import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio } from './support/factories';
import { waitFor } from './support/workers';

describe('ops: queue dashboard and queue metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('serves Bull Board at /admin/queues to PRODUCERs only', async () => {
    const producer = await givenStudio(h);
    const artist = await givenMember(h, producer, 'ARTIST');
    expect((await h.http.get('/admin/queues')).status).toBe(401);
    const denied = await h.http.get('/admin/queues').set(artist.auth);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    const ok = await h.http.get('/admin/queues').set(producer.auth);
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/bull/i);
    const api = await h.http.get('/admin/queues/api/queues').set(producer.auth);
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['asset-pipeline', 'media', 'render']);
  });

  it('reports queue depth by queue and state on /metrics', async () => {
    const s = await givenStudio(h);
    const asset = (await h.http.post('/assets').set(s.auth).send({ name: 'Queued', type: 'PROP' })).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(s.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'q.fbx').expect(201);
    // No pipeline worker runs here, so the new version's pipeline job waits in the queue (it is
    // enqueued just after the upload answers, by the version.created listener).
    const text = await waitFor('the pipeline job on /metrics', async () => {
      const t = (await h.http.get('/metrics')).text;
      return /queue_jobs\{queue="asset-pipeline",state="prioritized"\} [1-9]/.test(t) && t;
    }, 10_000);
    expect(text).toMatch(/queue_jobs\{queue="render",state="waiting"\} 0/);
  });
});
