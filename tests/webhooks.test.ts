// Webhooks (issue 19): signed, at-least-once deliveries from the webhook worker, back-off, disabling, the
// delivery log, redelivery and test events, and the SSRF guard at registration and at connect time.
import dns from 'node:dns';
import { Types } from 'mongoose';
import { startHarness, type Harness } from './support/harness';
import { givenMember, givenStudio, givenToken, type MintedToken, type Session } from './support/factories';
import { startReceiver, verifySignature, type Receiver } from './support/receiver';
import { waitFor, webhookWorkerFor } from './support/workers';
import { listen } from './support/sockets';
import { openStream } from './support/sse';
import { UrlGuard } from '../src/infra/webhooks/UrlGuard';
import { reconcileWebhooks } from '../src/app/processors/webhook.processor';
import type { WorkerHandle } from '../src/workers/worker-host';

const FBX = Buffer.from('; FBX 7.4.0 project file\n');

describe('webhooks: delivery, signatures, retries, the delivery log', () => {
  let h: Harness;
  let worker: WorkerHandle;
  let producer: Session;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_RETRY_MAX_MS: '2000', RATE_LIMIT_MAX: '100000' });
    worker = await webhookWorkerFor(h);
    producer = await givenStudio(h, 'Hook Studio');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await worker.close();
    await receiver.close();
    await h.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answers.length = 0;
  });

  const register = async (events: string[], url = receiver.url) => {
    const res = await h.http.post('/webhooks').set(producer.auth).send({ url, events, description: 'pipeline bridge' });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };

  it('a version upload makes exactly one signed delivery to a subscribed endpoint, none to others; the secret is shown once', async () => {
    const hook = await register(['version.created']);
    const other = await startReceiver();
    await register(['render.completed'], other.url);
    expect(hook.secret).toMatch(/^whsec_/);
    expect(JSON.stringify((await h.http.get(`/webhooks/${hook.id}`).set(producer.auth)).body)).not.toContain(hook.secret);

    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Hooked', type: 'PROP' }).expect(201)).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(producer.auth).attach('file', FBX, 'hooked.fbx').expect(201);
    const got = await waitFor('the delivery', async () => receiver.received.find((r) => r.json.type === 'version.created'), 15_000, 50);
    expect(got.json).toMatchObject({ type: 'version.created', studioId: producer.user.studioId, data: { assetId: asset.id, version: { version: 1 } } });
    expect(got.headers['x-studio-event']).toBe('version.created');
    expect(got.headers['x-studio-event-id']).toBe(got.json.id);
    expect(verifySignature(hook.secret, got.headers['x-studio-signature'] as string, got.body)).toBe(true);
    expect(verifySignature('whsec_wrong', got.headers['x-studio-signature'] as string, got.body)).toBe(false);
    expect(verifySignature(hook.secret, got.headers['x-studio-signature'] as string, got.body.replace('hooked', 'forged'))).toBe(false);

    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received.filter((r) => r.json.type === 'version.created')).toHaveLength(1);
    expect(other.received).toHaveLength(0);
    await other.close();
    const log = await h.http.get(`/webhooks/${hook.id}/deliveries`).set(producer.auth);
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({ status: 'SUCCEEDED', attempts: 1, lastStatusCode: 200, eventType: 'version.created', eventId: got.json.id });
    await h.http.delete(`/webhooks/${hook.id}`).set(producer.auth).expect(204);
  });

  it('a receiver that answers 500 twice then 200 gets three attempts with growing delays and one success', async () => {
    const hook = await register(['asset.created']);
    receiver.answers.push(500, 500);
    await h.http.post('/assets').set(producer.auth).send({ name: 'Flaky', type: 'PROP' }).expect(201);
    await waitFor('three attempts', async () => receiver.received.length >= 3 || undefined, 15_000, 50);
    const [a, b, c] = receiver.received;
    expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(1);
    expect(receiver.received.map((r) => r.headers['x-studio-attempt'])).toEqual(['1', '2', '3']);
    // Back-off 200 ms then 400 ms (±25% jitter): the second gap is longer than the first.
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(140);
    expect(c!.at - b!.at).toBeGreaterThan(b!.at - a!.at);
    const delivery = await waitFor('the log to settle', async () => {
      const d = (await h.http.get(`/webhooks/${hook.id}/deliveries`).set(producer.auth)).body.data[0];
      return d?.status === 'SUCCEEDED' ? d : undefined;
    }, 5000, 50);
    expect(delivery).toMatchObject({ attempts: 3, lastStatusCode: 200 });
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(3);
    await h.http.delete(`/webhooks/${hook.id}`).set(producer.auth).expect(204);
  });

  it('sends a test event, and redelivers a past event as a new delivery with the same event id', async () => {
    const hook = await register(['asset.updated']);
    const test = await h.http.post(`/webhooks/${hook.id}/test`).set(producer.auth);
    expect([test.status, test.body.eventType]).toEqual([202, 'webhook.test']);
    const ping = await waitFor('the test event', async () => receiver.received.find((r) => r.json.type === 'webhook.test'), 10_000, 50);
    expect(verifySignature(hook.secret, ping.headers['x-studio-signature'] as string, ping.body)).toBe(true);

    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Again', type: 'PROP' }).expect(201)).body;
    await h.http.patch(`/assets/${asset.id}`).set(producer.auth).send({ description: 'changed' }).expect(200);
    const first = await waitFor('the update', async () => receiver.received.find((r) => r.json.type === 'asset.updated'), 10_000, 50);
    const deliveries = (await h.http.get(`/webhooks/${hook.id}/deliveries`).set(producer.auth)).body.data as Array<{ id: string; eventType: string }>;
    const original = deliveries.find((d) => d.eventType === 'asset.updated')!;
    const again = await h.http.post(`/webhooks/${hook.id}/deliveries/${original.id}/redeliver`).set(producer.auth);
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(original.id);
    await waitFor('the redelivery', async () => receiver.received.filter((r) => r.json.type === 'asset.updated').length === 2 || undefined, 10_000, 50);
    const both = receiver.received.filter((r) => r.json.type === 'asset.updated');
    expect(both[1]!.json.id).toBe(first.json.id);
    expect(both[1]!.headers['x-studio-delivery']).toBe(again.body.id);
    await h.http.delete(`/webhooks/${hook.id}`).set(producer.auth).expect(204);
  });

  it('refuses a test event to a webhook that is turned off, in words that say what to do and name no API path', async () => {
    const hook = await register(['asset.updated']);
    await h.http.patch(`/webhooks/${hook.id}`).set(producer.auth).send({ active: false }).expect(200);
    const refused = await h.http.post(`/webhooks/${hook.id}/test`).set(producer.auth);
    expect([refused.status, refused.body.error?.code]).toEqual([409, 'WEBHOOK_DISABLED']);
    expect(refused.body.error.message).toBe('This webhook is turned off, so it cannot be sent a test. Turn it on again first (that clears its record of failures), then send the test');
    expect(await h.container.models.WebhookDelivery.countDocuments({ endpointId: new Types.ObjectId(hook.id) })).toBe(0);
    await h.http.delete(`/webhooks/${hook.id}`).set(producer.auth).expect(204);
  });

  it('subscribes a webhook only to events its registrant may read: an admin-only token can neither register one on asset events nor point one at its own receiver', async () => {
    const bearer = (t: MintedToken) => ({ Authorization: `Bearer ${t.token}` });
    const admin = await givenToken(h, producer, ['admin']);
    const reader = await givenToken(h, producer, ['admin', 'assets:read']);
    const attacker = await startReceiver();
    const count = () => h.container.models.WebhookEndpoint.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) });
    const before = await count();
    const refused = await h.http.post('/webhooks').set(bearer(admin)).send({ url: attacker.url, events: ['asset.created', 'comment.created', 'webhook.disabled'] });
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect(refused.body.error.message).toBe('A webhook receives the data of the events it subscribes to, so it may subscribe only to events you may read: asset.created, comment.created cannot be chosen, because this API token lacks the scope assets:read that reading them needs. Leave them out, or use a token that has the scope or sign in as a person');
    expect(refused.body.error.details).toEqual([{ path: 'events', message: 'asset.created, comment.created: this API token lacks the scope assets:read that reading them needs' }]);
    expect(await count()).toBe(before);

    // What the token may read (webhook events, with admin) it may subscribe to; a token with assets:read may take asset events.
    const own = (await h.http.post('/webhooks').set(bearer(admin)).send({ url: attacker.url, events: ['webhook.disabled'] }).expect(201)).body as { id: string };
    const read = (await h.http.post('/webhooks').set(bearer(reader)).send({ url: receiver.url, events: ['asset.created'] }).expect(201)).body as { id: string };
    // A PRODUCER's webhook on asset events: the admin-only token cannot move it to its receiver, nor add asset events to its own.
    const theirs = await register(['asset.created']);
    for (const [id, patch] of [[theirs.id, { url: attacker.url }], [own.id, { events: ['webhook.disabled', 'asset.created'] }]] as const) {
      const res = await h.http.patch(`/webhooks/${id}`).set(bearer(admin)).send(patch);
      expect({ patch, status: res.status, code: res.body.error?.code }).toEqual({ patch, status: 403, code: 'INSUFFICIENT_SCOPE' });
    }
    // What does not decide where the data goes stays open to it.
    await h.http.patch(`/webhooks/${theirs.id}`).set(bearer(admin)).send({ description: 'renamed by the ops token' }).expect(200);
    expect((await h.http.get(`/webhooks/${theirs.id}`).set(producer.auth).expect(200)).body).toMatchObject({ url: receiver.url, events: ['asset.created'] });

    // The asset events go where the PRODUCER and the reading token pointed them, never to the admin-only token's receiver.
    await h.http.post('/assets').set(producer.auth).send({ name: 'Not for the ops token', type: 'PROP' }).expect(201);
    await waitFor('both deliveries of the asset event', async () => receiver.received.filter((r) => r.json.type === 'asset.created').length === 2 || undefined, 10_000, 50);
    expect(attacker.received.map((r) => r.json.type)).toEqual([]);
    for (const id of [own.id, read.id, theirs.id]) await h.http.delete(`/webhooks/${id}`).set(producer.auth).expect(204);
    await attacker.close();
  });

  it('re-queues a delivery whose queue entry was lost (it stays PENDING in MongoDB until sent)', async () => {
    const hook = await register(['asset.created']);
    const event = await h.container.eventLogRepo.append(producer.user.studioId, { type: 'asset.created', actorId: null, data: { asset: { name: 'lost in Redis' } } });
    // A delivery as fanOut writes it, but never queued (Redis was down at that moment).
    const [lost] = await h.container.repos.webhooks.createDeliveries([{ studioId: event.studioId, endpointId: new Types.ObjectId(hook.id), eventId: event._id, eventSeq: event.seq, eventType: 'asset.created' }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(0);
    expect(await reconcileWebhooks({ webhooks: h.container.repos.webhooks, queue: h.container.deliveryQueue, graceMs: 0 })).toBeGreaterThanOrEqual(1);
    const got = await waitFor('the re-queued delivery', async () => receiver.received.find((r) => r.json.id === String(event._id)), 10_000, 50);
    expect(got.headers['x-studio-delivery']).toBe(String(lost!._id));
    await h.http.delete(`/webhooks/${hook.id}`).set(producer.auth).expect(204);
  });

  it('refuses private, loopback, link-local and metadata addresses at registration, and plain http in production', async () => {
    const before = await h.container.models.WebhookEndpoint.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) });
    for (const url of ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x', 'http://127.0.0.2:9/x', 'http://[::ffff:192.168.0.1]/x', 'http://user:pw@127.0.0.1:9/x', 'http://0.0.0.0:9/',
      // IPv4 carried inside IPv6 (compatible, translated, 6to4, local NAT64), site-local, and 127.0.0.2 as an integer.
      'http://[::127.0.0.1]:9/x', 'http://[::ffff:0:127.0.0.1]:9/x', 'http://[2002:7f00:1::]/x', 'http://[64:ff9b:1::7f00:1]/x', 'http://[fec0::1]/x', 'http://2130706434:9/x']) {
      const res = await h.http.post('/webhooks').set(producer.auth).send({ url, events: ['asset.created'] });
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 400, code: 'WEBHOOK_URL_FORBIDDEN' });
    }
    expect(await h.container.models.WebhookEndpoint.countDocuments({ studioId: new Types.ObjectId(producer.user.studioId) })).toBe(before);
    const production = new UrlGuard({ allowHttp: false, allowedCidrs: [] });
    await expect(production.check('http://example.com/hook')).rejects.toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN', message: 'must be https' });
    expect(production.addressAllowed('93.184.216.34')).toBe(true);
    expect(production.addressAllowed('64:ff9b::a9fe:a9fe')).toBe(false);
  });

  it('checks the address again at connect time: a name that resolved to an allowed address at registration and a forbidden one at delivery is refused', async () => {
    // Registration ran with loopback allowed for this name; the worker below has no allow-list, as if
    // the name now resolved somewhere forbidden (DNS rebinding). The connect-time lookup refuses it.
    const loopback = (await dns.promises.lookup('localhost', { all: true })).map((a) => a.address);
    const api = await startHarness({ WEBHOOK_ALLOWED_CIDRS: loopback.map((a) => (a.includes(':') ? `${a}/128` : `${a}/32`)).join(','), WEBHOOK_RETRY_BASE_MS: '60000' });
    const strict = await startHarness({ WEBHOOK_ALLOWED_CIDRS: '' }, {}, api.identity);
    const strictWorker = await webhookWorkerFor(strict);
    try {
      const owner = await givenStudio(api, 'Rebind Studio');
      const hook = (await api.http.post('/webhooks').set(owner.auth).send({ url: `http://localhost:${receiver.port}/hook`, events: ['asset.created'] }).expect(201)).body;
      await api.http.post('/assets').set(owner.auth).send({ name: 'Rebound', type: 'PROP' }).expect(201);
      const delivery = await waitFor('a refused attempt', async () => {
        const d = (await api.http.get(`/webhooks/${hook.id}/deliveries`).set(owner.auth)).body.data[0];
        return d?.attempts >= 1 ? d : undefined;
      }, 10_000, 100);
      expect(delivery.status).toBe('RETRYING');
      expect(delivery.lastError).toMatch(/forbidden address/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await strictWorker.close();
      await strict.close();
      await api.close();
    }
  });

  it('keeps webhooks to PRODUCERs of the studio: an ARTIST gets 403, another studio 404', async () => {
    const hook = await register(['asset.created']);
    const artist = await givenMember(h, producer, 'ARTIST');
    expect((await h.http.get('/webhooks').set(artist.auth)).status).toBe(403);
    expect((await h.http.post('/webhooks').set(artist.auth).send({ url: receiver.url, events: ['asset.created'] })).status).toBe(403);
    const other = await givenStudio(h, 'Nosy Studio');
    for (const [method, path] of [['get', `/webhooks/${hook.id}`], ['patch', `/webhooks/${hook.id}`], ['delete', `/webhooks/${hook.id}`], ['get', `/webhooks/${hook.id}/deliveries`], ['post', `/webhooks/${hook.id}/test`]] as const) {
      const res = await h.http[method](path).set(other.auth).send(method === 'patch' ? { active: false } : undefined);
      expect({ path, method, status: res.status }).toEqual({ path, method, status: 404 });
    }
    expect((await h.http.get('/webhooks').set(other.auth)).body.data).toEqual([]);
    await h.http.delete(`/webhooks/${hook.id}`).set(producer.auth).expect(204);
  });
});

describe('webhooks: an endpoint that keeps failing is disabled and its studio told', () => {
  let h: Harness;
  let worker: WorkerHandle;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', WEBHOOK_RETRY_BASE_MS: '150', WEBHOOK_RETRY_MAX_MS: '300', WEBHOOK_DISABLE_AFTER_MS: '800' });
    worker = await webhookWorkerFor(h);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await worker.close();
    await receiver.close();
    await h.close();
  });

  it('disables it after WEBHOOK_DISABLE_AFTER_MS of failures: a socket event, a webhook.disabled event in the log, a mail to the PRODUCERs; none of them carries the URL, and no ARTIST hears of it', async () => {
    const producer = await givenStudio(h, 'Failing Studio');
    const artist = await givenMember(h, producer, 'ARTIST');
    const { url } = await h.listenRealtime();
    const l = await listen(url, producer.accessToken);
    const la = await listen(url, artist.accessToken);
    const [ps, as] = [await openStream(url, producer.accessToken), await openStream(url, artist.accessToken)];
    // Another endpoint of the studio subscribed to webhook.disabled: its body must not carry the URL either.
    const watcher = await startReceiver();
    await h.http.post('/webhooks').set(producer.auth).send({ url: watcher.url, events: ['webhook.disabled'] }).expect(201);
    receiver.answers.push(...Array.from({ length: 100 }, () => 503));
    // For chat receivers the URL is the credential: a path no event may show.
    const secretUrl = `${receiver.url}/services/T000/B000/chat-s3cr3t`;
    const hook = (await h.http.post('/webhooks').set(producer.auth).send({ url: secretUrl, events: ['asset.created'] }).expect(201)).body;
    await h.http.post('/assets').set(producer.auth).send({ name: 'Doomed', type: 'PROP' }).expect(201);
    const disabled = await waitFor('the endpoint to be disabled', async () => {
      const e = (await h.http.get(`/webhooks/${hook.id}`).set(producer.auth)).body;
      return e.active === false ? e : undefined;
    }, 15_000, 100);
    expect(disabled.disabledReason).toMatch(/every delivery failed .*HTTP 503/);
    const shown = { webhookId: hook.id, code: 'DELIVERIES_FAILING', reason: disabled.disabledReason };
    await waitFor('the socket event', async () => l.events['webhook:disabled']?.[0], 5000, 50);
    expect(l.events['webhook:disabled']).toEqual([shown]);
    const events = (await h.http.get('/events').set(producer.auth)).body.data as Array<{ type: string; data: Record<string, unknown> }>;
    expect(events.find((e) => e.type === 'webhook.disabled')?.data).toEqual(shown);
    await waitFor('the event on the PRODUCER\'s stream', async () => ps.events.find((e) => e.event === 'webhook.disabled'), 5000, 50);
    const delivered = await waitFor('the webhook.disabled delivery', async () => watcher.received.find((r) => r.json.type === 'webhook.disabled'), 15_000, 50);
    expect(delivered.json.data).toEqual(shown);
    for (const text of [JSON.stringify(l.events), JSON.stringify(events), JSON.stringify(ps.events), delivered.body]) expect(text).not.toContain('chat-s3cr3t');
    // The ARTIST: GET /webhooks is 403, and so is every way to the same news. A later asset event is the
    // sentinel: it reaches the ARTIST's socket and stream after the webhook event would have.
    expect((await h.http.get('/webhooks').set(artist.auth)).status).toBe(403);
    await h.http.post('/assets').set(producer.auth).send({ name: 'Sentinel', type: 'PROP' }).expect(201);
    await waitFor('the sentinel for the ARTIST', async () => (la.events['asset:created'] ?? []).some((x) => x.name === 'Sentinel') && as.events.some((e) => e.event === 'asset.created' && e.data!.includes('Sentinel')), 10_000, 50);
    expect(Object.keys(la.events)).not.toContain('webhook:disabled');
    expect(as.events.map((e) => e.event)).not.toContain('webhook.disabled');
    expect(((await h.http.get('/events').set(artist.auth)).body.data as Array<{ type: string }>).map((e) => e.type)).not.toContain('webhook.disabled');
    la.socket.disconnect();
    await Promise.all([ps.close(), as.close(), watcher.close()]);
    const mail = await h.mailbox.next(producer.user.email);
    expect(mail.subject).toBe('A Studio API webhook was disabled');
    // Turning it back on clears the failures.
    const revived = await h.http.patch(`/webhooks/${hook.id}`).set(producer.auth).send({ active: true });
    expect(revived.body).toMatchObject({ active: true, disabledAt: null, failingSince: null, disabledReason: null });
    l.socket.disconnect();
  });
});
