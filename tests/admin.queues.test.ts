// The queue dashboard belongs to the installation's operator: absent without OPERATOR_TOKEN, closed to
// every studio account (a self-registered PRODUCER included), read-only unless configured otherwise.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio } from './support/factories';
import { waitFor } from './support/workers';

const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789abcdef';
const basic = (password: string) => `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

describe('ops: queue dashboard without an operator token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('is not mounted: every caller, a studio PRODUCER included, gets 404', async () => {
    const producer = await givenStudio(h);
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const anonymous = await h.http.get(path);
      const studio = await h.http.get(path).set(producer.auth);
      expect([anonymous.status, anonymous.body.error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
      expect([studio.status, studio.body.error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
    }
    const pause = await h.http.put('/admin/queues/api/queues/pause').set(producer.auth);
    expect(pause.status).toBe(404);
    expect(await h.container.queue.queue('render').isPaused()).toBe(false);
  });
});

describe('ops: queue dashboard with an operator token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OPERATOR_TOKEN });
  });
  afterAll(() => h.close());

  it('refuses every studio account, whatever its role, and asks for the operator credential', async () => {
    const producer = await givenStudio(h);
    const artist = await givenMember(h, producer, 'ARTIST');
    for (const auth of [{}, producer.auth, artist.auth, { Authorization: basic('wrong-token') }, { Authorization: `Bearer ${OPERATOR_TOKEN}x` }]) {
      const res = await h.http.get('/admin/queues/api/queues').set(auth);
      expect([res.status, res.body.error?.code]).toEqual([401, 'OPERATOR_TOKEN_REQUIRED']);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    }
  });

  it('serves the operator (Bearer or Basic) and shows every queue', async () => {
    const page = await h.http.get('/admin/queues').set('Authorization', basic(OPERATOR_TOKEN));
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/bull/i);
    const api = await h.http.get('/admin/queues/api/queues').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['asset-pipeline', 'media', 'render', 'webhooks']);
    expect(api.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
  });

  it('is read-only by default: the operator cannot pause the shared queues', async () => {
    const res = await h.http.put('/admin/queues/api/queues/pause').set('Authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect([res.status, res.body.error.code]).toEqual([403, 'OPERATOR_READ_ONLY']);
    expect(await h.container.queue.queue('render').isPaused()).toBe(false);
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
    // Route templates and queue names only: no label names a studio, an asset or a user.
    for (const id of [s.user.studioId, asset.id, s.user.id]) expect(text).not.toContain(id);
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/assets\/:id\/versions"/);
  });
});

describe('ops: queue dashboard with writes allowed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OPERATOR_TOKEN, OPERATOR_QUEUES_WRITE: 'true' });
  });
  afterAll(() => h.close());

  it('lets the operator pause and resume the queues, and still refuses studio accounts', async () => {
    const producer = await givenStudio(h);
    expect((await h.http.put('/admin/queues/api/queues/pause').set(producer.auth)).status).toBe(401);
    expect(await h.container.queue.queue('render').isPaused()).toBe(false);
    // Basic credentials are what a browser replays on a cross-site request: they open the dashboard, not changes.
    const basicPause = await h.http.put('/admin/queues/api/queues/pause').set('Authorization', basic(OPERATOR_TOKEN));
    expect([basicPause.status, basicPause.body.error.code]).toEqual([403, 'OPERATOR_BEARER_REQUIRED']);
    expect(await h.container.queue.queue('render').isPaused()).toBe(false);
    expect((await h.http.put('/admin/queues/api/queues/pause').set('Authorization', `Bearer ${OPERATOR_TOKEN}`)).status).toBe(200);
    expect(await h.container.queue.queue('render').isPaused()).toBe(true);
    expect((await h.http.put('/admin/queues/api/queues/resume').set('Authorization', `Bearer ${OPERATOR_TOKEN}`)).status).toBe(200);
    expect(await h.container.queue.queue('render').isPaused()).toBe(false);
  });
});
