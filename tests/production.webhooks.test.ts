// Production events reach webhooks like every other domain event: a review decision that moves a task is
// delivered, signed, to an endpoint subscribed to task.updated, and a token without production:read does not
// see those events in the log.
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, givenToken, type Session } from './support/factories';
import { startReceiver, verifySignature, type Receiver } from './support/receiver';
import { waitFor, webhookWorkerFor } from './support/workers';
import type { WorkerHandle } from '../src/workers/worker-host';

describe('production events on webhooks and in the event log', () => {
  let h: Harness;
  let worker: WorkerHandle;
  let receiver: Receiver;
  let producer: Session;
  let artist: Session;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', RATE_LIMIT_MAX: '100000' });
    worker = await webhookWorkerFor(h);
    receiver = await startReceiver();
    producer = await givenStudio(h);
    artist = await givenMember(h, producer, 'ARTIST');
  });
  afterAll(async () => {
    await worker.close();
    await receiver.close();
    await h.close();
  });

  it('delivers task.updated when a review moves a task, and keeps production events from tokens without production:read', async () => {
    const hook = (await h.http.post('/webhooks').set(producer.auth).send({ url: receiver.url, events: ['task.updated'] }).expect(201)).body;
    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Lamp', type: 'PROP' }).expect(201)).body;
    const types = (await h.http.get('/task-types').set(producer.auth).expect(200)).body.data as Array<{ id: string; name: string }>;
    const task = (await h.http.post('/tasks').set(producer.auth).send({ entityType: 'ASSET', entityId: asset.id, taskTypeId: types.find((t) => t.name === 'Modeling')!.id, assignees: [artist.user.id] }).expect(201)).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(artist.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'lamp.fbx').expect(201);
    await h.http.post(`/tasks/${task.id}/submit`).set(artist.auth).send({ version: 1 }).expect(200);
    await h.http.post(`/assets/${asset.id}/versions/1/review`).set(producer.auth).send({ decision: 'APPROVED' }).expect(201);

    const done = await waitFor('the DONE delivery', async () => receiver.received.find((r) => r.json.type === 'task.updated' && (r.json.data.task as { status: string }).status === 'DONE'), 15_000, 50);
    expect(done.json.data).toMatchObject({ task: { id: task.id, status: 'DONE' }, from: 'WFA', reason: 'review' });
    expect(verifySignature(hook.secret, done.headers['x-studio-signature'] as string, done.body)).toBe(true);
    expect(receiver.received.filter((r) => r.json.type !== 'task.updated')).toEqual([]);

    const token = async (scopes: string[]) => (await givenToken(h, producer, scopes)).token;
    const typesSeen = async (t: string) => ((await h.http.get('/events').query({ limit: 100 }).set({ Authorization: `Bearer ${t}` }).expect(200)).body.data as Array<{ type: string }>).map((e) => e.type);
    expect(await typesSeen(await token(['events:read']))).not.toContain('task.updated');
    expect(await typesSeen(await token(['events:read', 'production:read']))).toContain('task.updated');
  });
});
