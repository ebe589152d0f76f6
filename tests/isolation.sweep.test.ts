// Tenant isolation sweep over everything mounted: every route of the Express router (walked from the router
// itself, so a route added anywhere joins without being listed), the tus endpoints and every Socket.IO
// event, called as studio B on studio A's resources. Each answers 401/403/404 (or, for collections, B's own
// data), leaks nothing of studio A and changes nothing of it.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Types } from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import { startHarness, type Harness } from './support/harness';
import { givenBotToken, givenMember, givenStudio, PASSWORD, type Session } from './support/factories';
import { mountedRoutes } from './support/routeTable';

const OPERATOR_TOKEN = 'operator-token-for-the-sweep-0123456789';
type Reply = { data?: unknown; error?: { code: string } };

function raw(url: string, method: string, headers: Record<string, string | number>, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('tenant isolation sweep over every mounted route and socket event', () => {
  let h: Harness;
  let base: string;
  let a: Session;
  let b: Session;
  const sockets: Socket[] = [];
  const secrets: string[] = [];
  const ids: Record<string, string> = {};

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const tus = (who: Session) => ({ 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${who.accessToken}` });

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000', OPERATOR_TOKEN, WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', EVENTS_POLL_MS: '50' });
    base = await h.listen();
    a = await givenStudio(h, 'Studio Alpha Secret');
    b = await givenStudio(h, 'Studio Beta');
    const asset = (await h.http.post('/assets').set(a.auth).send({ name: 'Top Secret Asset', type: 'SHOT', description: 'alpha-only description' })).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(a.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'alpha-secret.fbx').expect(201);
    await h.http.post(`/assets/${asset.id}/comments`).set(a.auth).send({ body: 'alpha secret note' }).expect(201);
    const render = (await h.http.post(`/assets/${asset.id}/render`).set(a.auth).send({ engine: 'simulated' }).expect(202)).body;
    // An unfinished tus upload of A's: its URL is what B will try to read, append to and delete.
    const upload = await raw(`${base}/uploads`, 'POST', { ...tus(a), 'Upload-Length': 64, 'Upload-Metadata': `assetId ${b64(asset.id)},filename ${b64('alpha-tus.obj')}` });
    expect(upload.status).toBe(201);
    await raw(`${base}${upload.headers.location}`, 'PATCH', { ...tus(a), 'Upload-Offset': 0, 'Content-Type': 'application/offset+octet-stream' }, Buffer.from('v 0 0 0\n'));
    // A pending invitation of A's: B must not list, withdraw or learn its address.
    const invitation = (await h.http.post('/invitations').set(a.auth).send({ email: 'alpha.invitee@studio.test', role: 'DIRECTOR' }).expect(201)).body;
    await h.mailbox.next('alpha.invitee@studio.test');
    ids.invitation = invitation.id;
    // A's integrations: a bot with a token, a webhook with a delivery (a test event to a closed port).
    const { bot, created: token } = await givenBotToken(h, a, ['assets:read']);
    const hook = (await h.http.post('/webhooks').set(a.auth).send({ url: 'http://127.0.0.1:9/alpha-hook', events: ['render.completed'] }).expect(201)).body;
    const delivery = (await h.http.post(`/webhooks/${hook.id}/test`).set(a.auth).expect(202)).body;
    ids.bot = bot.id;
    ids.token = token.id;
    ids.webhook = hook.id;
    ids.delivery = delivery.id;
    secrets.push(bot.id, token.id, token.token, hook.id, hook.secret, 'alpha-hook', delivery.id, 'Alpha bot');
    // A's production: a project, sequence, shot (with its backing asset), a task assigned to a member of
    // A's (who gets a notification), a task type and status of A's own, and the shot's casting.
    const member = await givenMember(h, a, 'ARTIST');
    const project = (await h.http.post('/projects').set(a.auth).send({ name: 'Alpha Secret Project', code: 'ALPHAPRJ' }).expect(201)).body;
    const sequence = (await h.http.post(`/projects/${project.id}/sequences`).set(a.auth).send({ code: 'ALPHASEQ' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${sequence.id}/shots`).set(a.auth).send({ code: 'ALPHASHOT', frameIn: 1, frameOut: 24 }).expect(201)).body;
    const taskType = (await h.http.post('/task-types').set(a.auth).send({ name: 'Alpha Secret Type', color: '#123456' }).expect(201)).body;
    const taskStatus = (await h.http.post('/task-statuses').set(a.auth).send({ code: 'ALPHASTAT', name: 'Alpha Secret Status', color: '#654321' }).expect(201)).body;
    const task = (await h.http.post('/tasks').set(a.auth).send({ entityType: 'SHOT', entityId: shot.id, taskTypeId: taskType.id, assignees: [member.user.id] }).expect(201)).body;
    await h.http.put(`/shots/${shot.id}/casting`).set(a.auth).send({ items: [{ assetId: asset.id, count: 2 }] }).expect(200);
    let notification: { id: string } | undefined;
    for (let i = 0; i < 50 && !notification; i++) {
      notification = (await h.http.get('/notifications').set(member.auth)).body.data[0];
      if (!notification) await new Promise((r) => setTimeout(r, 50));
    }
    Object.assign(ids, { project: project.id, sequence: sequence.id, shot: shot.id, shotAsset: shot.assetId, taskType: taskType.id, taskStatus: taskStatus.id, task: task.id, notification: notification!.id, member: member.user.id });
    secrets.push(project.id, sequence.id, shot.id, shot.assetId, taskType.id, taskStatus.id, task.id, notification!.id, 'Alpha Secret Project', 'ALPHAPRJ', 'ALPHASEQ', 'ALPHASHOT', 'Alpha Secret Type', 'ALPHASTAT', 'Alpha Secret Status');
    ids.studio = a.user.studioId;
    ids.asset = asset.id;
    ids.render = render.id;
    ids.user = a.user.id;
    ids.upload = upload.headers.location!;
    ids.sha256 = createHash('sha256').update('; FBX 7.4.0 project file\n').digest('hex');
    secrets.push(asset.id, render.id, a.user.id, a.user.email, 'Top Secret Asset', 'alpha-only description', 'alpha-secret.fbx', 'alpha secret note', 'Studio Alpha Secret', 'alpha-tus.obj', invitation.id, 'alpha.invitee@studio.test');
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });

  const noLeak = (where: string, text: string) => {
    for (const secret of secrets) expect({ where, leaked: text.includes(secret) ? secret : null }).toEqual({ where, leaked: null });
  };

  async function snapshot() {
    const m = h.container.models;
    const assetId = new Types.ObjectId(ids.asset);
    return {
      asset: await m.Asset.findById(ids.asset).lean(),
      studio: await m.Studio.findById(ids.studio).lean(),
      storageUsage: await m.StorageUsage.findById(ids.studio).lean(),
      versions: await m.AssetVersion.countDocuments({ assetId }),
      blobs: await m.Blob.find({ studioId: new Types.ObjectId(ids.studio) }).sort({ key: 1 }).lean(),
      comments: await m.Comment.countDocuments({ assetId }),
      reviews: await m.ReviewDecision.countDocuments({ assetId }),
      render: await m.RenderJob.findById(ids.render).lean(),
      renders: await m.RenderJob.countDocuments({ assetId }),
      user: await m.User.findById(ids.user).lean(),
      invitation: await m.Invitation.findById(ids.invitation).lean(),
      project: await m.Project.findById(ids.project).lean(),
      projects: await m.Project.countDocuments({ studioId: new Types.ObjectId(ids.studio) }),
      sequence: await m.Sequence.findById(ids.sequence).lean(),
      shot: await m.Shot.findById(ids.shot).lean(),
      shots: await m.Shot.countDocuments({ studioId: new Types.ObjectId(ids.studio) }),
      task: await m.Task.findById(ids.task).lean(),
      tasks: await m.Task.countDocuments({ studioId: new Types.ObjectId(ids.studio) }),
      taskType: await m.TaskType.findById(ids.taskType).lean(),
      taskStatus: await m.TaskStatus.findById(ids.taskStatus).lean(),
      casting: await m.Casting.find({ shotId: new Types.ObjectId(ids.shot) }).lean(),
      notification: await m.Notification.findById(ids.notification).lean(),
      bot: await m.User.findById(ids.bot).lean(),
      token: await m.ApiToken.findById(ids.token).lean(),
      webhook: await m.WebhookEndpoint.findById(ids.webhook).lean(),
      deliveries: await m.WebhookDelivery.countDocuments({ endpointId: new Types.ObjectId(ids.webhook) }),
      upload: (await raw(`${base}${ids.upload}`, 'HEAD', tus(a))).headers['upload-offset'],
      paused: await h.container.queue.queue('render').isPaused(),
    };
  }

  /** A valid request for each route, so the call reaches the tenancy check instead of failing validation. */
  const bodies: Record<string, object | 'multipart' | undefined> = {
    'POST /assets/:id/versions': 'multipart',
    'POST /assets/:id/upload': 'multipart',
    'PATCH /assets/:id': { description: 'pwned' },
    'PATCH /assets/:id/rollback': { version: 1 },
    'POST /assets/:id/comments': { body: 'pwned' },
    'POST /assets/:id/versions/:v/review': { decision: 'APPROVED' },
    'POST /assets/:id/render': {},
    'POST /assets/:id/uploads': { fileName: 'pwned.png', size: 10, sha256: 'a'.repeat(64), partSize: 10, partSha256: ['a'.repeat(64)] },
    // B names the hash of A's file, on A's asset.
    'POST /assets/:id/versions/from-blob': { sha256: '(sha256)', fileName: 'b.fbx' },
    'PATCH /users/:id': { role: 'ARTIST' },
    // B asks for a session in A's studio.
    'POST /auth/switch': { studioId: '(studio)' },
    'POST /bots/:id/tokens': { name: 'pwned', scopes: ['admin'], expiresInDays: 30, currentPassword: PASSWORD },
    'PATCH /webhooks/:id': { active: false, url: 'http://127.0.0.1:9/pwned' },
    'PATCH /projects/:id': { name: 'pwned', status: 'CLOSED' },
    'POST /projects/:id/episodes': { code: 'PWNED' },
    'POST /projects/:id/sequences': { code: 'PWNED' },
    'POST /projects/:id/editorial/import': { OTIO_SCHEMA: 'Timeline.1', name: 'pwned' },
    'PATCH /sequences/:id': { name: 'pwned' },
    'POST /sequences/:id/shots': { code: 'PWNED', frameIn: 1, frameOut: 2 },
    'PATCH /shots/:id': { frameIn: 5, frameOut: 6 },
    'PUT /shots/:id/casting': { items: [] },
    // B names A's shot and A's task type.
    'POST /tasks': { entityType: 'SHOT', entityId: '(shot)', taskTypeId: '(taskType)' },
    'PATCH /tasks/:id': { status: 'DONE', assignees: [] },
    // B names A's task in a bulk edit: the whole request is refused (404), nothing changes.
    'POST /tasks/bulk': { tasks: [{ id: '(task)', revision: 1 }], set: { status: 'DONE' } },
    'POST /tasks/:id/submit': { version: 1 },
    'PATCH /task-types/:id': { name: 'pwned' },
    'PATCH /task-statuses/:id': { name: 'pwned' },
  };
  // Routes that do not name another studio's resource: B gets its own (empty or self) data.
  const collections: Record<string, object> = {
    'GET /assets': {},
    'GET /users': {},
    'GET /render-jobs': {},
    'POST /render-jobs/retry': {},
    'GET /auth/me': {},
    'POST /assets': { name: 'Beta asset', type: 'PROP' },
    'POST /invitations': { email: 'beta.member@studio.test', role: 'ARTIST' },
    'GET /invitations': {},
    'GET /auth/studios': {},
    // B asks which of its studios holds A's asset: none of B's (the path carries A's asset id).
    'GET /auth/studios/holding': {},
    'POST /tokens': { name: 'beta script', scopes: ['assets:read'], expiresInDays: 30, currentPassword: PASSWORD },
    'GET /tokens': {},
    'POST /bots': { name: 'Beta bot', role: 'ARTIST' },
    'GET /bots': {},
    'POST /webhooks': { url: 'http://127.0.0.1:9/beta-hook', events: ['asset.created'] },
    'GET /webhooks': {},
    'GET /events': {},
    'PATCH /studio/settings': { autoRender: false },
    'GET /projects': {},
    'POST /projects': { name: 'Beta project', code: 'BETA' },
    'GET /tasks': {},
    'GET /task-types': {},
    'GET /task-permissions': {},
    'POST /task-types': { name: 'Beta type', color: '#000000' },
    'GET /task-statuses': {},
    'POST /task-statuses': { code: 'BETASTAT', name: 'Beta status', color: '#000000' },
    'GET /notifications': {},
    'GET /notifications/unread-count': {},
    'POST /notifications/read-all': {},
    // B names A's notification: B's own are marked (none), A's stays unread (the snapshot).
    get 'POST /notifications/read'() { return { ids: [ids.notification] }; },
    'GET /review-queue': {},
    'GET /notifications/digest': {},
    'PUT /notifications/digest': { frequency: 'DAILY' },
    // B searches for A's names (the path carries ?q=alpha): only B's own data can come back.
    'GET /search': {},
    'GET /storage/usage': {},
    'GET /storage/usage/assets': {},
  };
  // No token needed (credentials in the body, or public by design); still checked for leaks.
  const open = new Set(['POST /auth/register', 'POST /auth/password-reset', 'GET /auth/password-reset/preview', 'POST /auth/password-reset/confirm', 'GET /auth/verify-email/preview', 'POST /auth/verify-email', 'GET /invitations/preview', 'POST /invitations/accept', 'POST /auth/login', 'POST /auth/refresh', 'POST /auth/logout', 'GET /health', 'GET /ready', 'GET /metrics', 'GET /openapi.json', 'GET /docs', 'USE /docs']);
  // Middleware mounted on a prefix in front of routes that are swept themselves (none today).
  const guards = new Set<string>();
  // Run last, in this order: each ends B's other sessions (the password change hands B a fresh token).
  const lastBodies: Record<string, object> = { 'POST /auth/password': { currentPassword: 'correct horse battery', newPassword: 'correct horse battery 2' }, 'POST /auth/logout-all': {} };
  const last = new Set(Object.keys(lastBodies));

  /** Routes outside the OpenAPI document, each with the probe that proves B cannot reach A through it. */
  const undocumented: Record<string, () => Promise<void>> = {
    'ALL /uploads': async () => {
      const res = await raw(`${base}/uploads`, 'POST', { ...tus(b), 'Upload-Length': 8, 'Upload-Metadata': `assetId ${b64(ids.asset!)},filename ${b64('b.obj')}` });
      expect({ route: 'tus create on A\'s asset', status: res.status }).toEqual({ route: 'tus create on A\'s asset', status: 404 });
      noLeak('tus create', res.text);
    },
    'ALL /uploads/{*rest}': async () => {
      for (const [method, headers, body] of [
        ['HEAD', {}, undefined],
        ['PATCH', { 'Upload-Offset': 8, 'Content-Type': 'application/offset+octet-stream' }, Buffer.from('pwned!!\n')],
        ['DELETE', {}, undefined],
        ['GET', {}, undefined],
      ] as const) {
        const res = await raw(`${base}${ids.upload}`, method, { ...tus(b), ...headers }, body);
        expect({ route: `tus ${method} of A's upload`, status: res.status }).toEqual({ route: `tus ${method} of A's upload`, status: 404 });
        noLeak(`tus ${method}`, res.text);
      }
    },
    'USE /admin/queues': async () => {
      for (const method of ['GET', 'PUT'] as const) {
        const res = await raw(`${base}/admin/queues/api/queues${method === 'PUT' ? '/pause' : ''}`, method, { Authorization: `Bearer ${b.accessToken}` });
        expect({ route: `${method} /admin/queues as B`, status: res.status }).toEqual({ route: `${method} /admin/queues as B`, status: 401 });
        noLeak('/admin/queues', res.text);
      }
    },
    // The operator's quota routes: a studio's bearer token (B's, on A's studio or its own) is not the operator's.
    ...Object.fromEntries(
      (['PUT', 'DELETE'] as const).map((method) => [
        `${method} /admin/studios/:id/storage-quota`,
        async () => {
          for (const studioId of [ids.studio!, b.user.studioId]) {
            const body = method === 'PUT' ? Buffer.from(JSON.stringify({ quotaBytes: 10 ** 15 })) : undefined;
            const res = await raw(`${base}/admin/studios/${studioId}/storage-quota`, method, { Authorization: `Bearer ${b.accessToken}`, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body);
            expect({ route: `${method} storage-quota as B`, status: res.status }).toEqual({ route: `${method} storage-quota as B`, status: 401 });
            noLeak('storage-quota', res.text);
          }
        },
      ]),
    ),
    // A stream, not an answer: B follows its own log while A acts, and hears nothing of A.
    'GET /events/stream': async () => {
      const ac = new AbortController();
      const res = await fetch(`${base}/events/stream`, { headers: { Authorization: `Bearer ${b.accessToken}`, 'Last-Event-ID': '0' }, signal: ac.signal });
      expect(res.status).toBe(200);
      let text = '';
      const reading = (async () => {
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += Buffer.from(chunk).toString('utf8');
        } catch {
          // aborted below
        }
      })();
      try {
        // A acts meanwhile (on a new asset, so the snapshot of A's data stays comparable).
        await h.http.post('/assets').set(a.auth).send({ name: 'alpha-stream-secret', type: 'PROP' }).expect(201);
        await new Promise((r) => setTimeout(r, 400));
      } finally {
        ac.abort();
        await reading;
      }
      noLeak('GET /events/stream', text);
      expect(text).not.toContain('alpha-stream-secret');
      expect(text).not.toContain(a.user.studioId);
    },
    // The 405 answers for other methods on paths that would otherwise read as ids: they never reach a handler.
    'ALL /invitations/preview': async () => {
      const res = await raw(`${base}/invitations/preview`, 'DELETE', { Authorization: `Bearer ${b.accessToken}` });
      expect([res.status, res.headers.allow]).toEqual([405, 'GET, HEAD, OPTIONS']);
    },
    'ALL /invitations/accept': async () => {
      const res = await raw(`${base}/invitations/accept`, 'DELETE', { Authorization: `Bearer ${b.accessToken}` });
      expect([res.status, res.headers.allow]).toEqual([405, 'OPTIONS, POST']);
    },
    'ALL /tasks/bulk': async () => {
      const res = await raw(`${base}/tasks/bulk`, 'GET', { Authorization: `Bearer ${b.accessToken}` });
      expect([res.status, res.headers.allow]).toEqual([405, 'OPTIONS, POST']);
    },
    'ALL /render-jobs/retry': async () => {
      const res = await raw(`${base}/render-jobs/retry`, 'GET', { Authorization: `Bearer ${b.accessToken}` });
      expect(res.status).toBe(405);
    },
    'ALL /assets/:id/versions/from-blob': async () => {
      const res = await raw(`${base}/assets/${ids.asset}/versions/from-blob`, 'GET', { Authorization: `Bearer ${b.accessToken}` });
      expect([res.status, res.headers.allow]).toEqual([405, 'OPTIONS, POST']);
    },
  };

  it('walks every mounted route: B is refused on A\'s resources, gets only its own data elsewhere, and nothing of A changes', async () => {
    const doc = (await h.http.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)));
    const routes = mountedRoutes(h.app).map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThan(35);
    // Every route is either documented (and swept below) or has its own probe here: none is unlisted.
    const unlisted = routes.filter((r) => !documented.has(r) && !(r in undocumented) && !open.has(r) && !guards.has(r));
    expect(unlisted).toEqual([]);
    // Every documented operation is mounted.
    expect([...documented].filter((d) => !routes.includes(d))).toEqual([]);

    const before = await snapshot();
    const fill = (path: string) =>
      path
        .replace(/^\/users\/:id/, `/users/${ids.user}`)
        .replace(/^\/invitations\/:id/, `/invitations/${ids.invitation}`)
        .replace(/^\/tokens\/:id/, `/tokens/${ids.token}`)
        .replace(/^\/bots\/:id/, `/bots/${ids.bot}`)
        .replace(/^\/webhooks\/:id/, `/webhooks/${ids.webhook}`)
        .replace(':deliveryId', ids.delivery!)
        // Direct upload sessions need the S3 driver (tests/uploads.direct.test.ts sweeps A's real one); here the asset check answers first.
        .replace(':sessionId', '0123456789abcdef01234567')
        // "Do you have this hash?" with the hash of A's file: B holds no such bytes.
        .replace(':sha256', ids.sha256!)
        .replace(/^\/render-jobs\/:id/, `/render-jobs/${ids.render}`)
        .replace(/^\/projects\/:id\/editorial\/import$/, `/projects/${ids.project}/editorial/import?format=otio&dryRun=false`)
        .replace(/^\/projects\/:id/, `/projects/${ids.project}`)
        .replace(/^\/sequences\/:id/, `/sequences/${ids.sequence}`)
        .replace(/^\/shots\/:id/, `/shots/${ids.shot}`)
        .replace(/^\/tasks\/:id/, `/tasks/${ids.task}`)
        .replace(/^\/task-types\/:id/, `/task-types/${ids.taskType}`)
        .replace(/^\/task-statuses\/:id/, `/task-statuses/${ids.taskStatus}`)
        .replace(/^\/notifications\/:id/, `/notifications/${ids.notification}`)
        .replace(/^\/search$/, '/search?q=alpha')
        .replace(/^\/auth\/studios\/holding$/, `/auth/studios/holding?kind=asset&id=${ids.asset!}`)
        .replace(':id', ids.asset!)
        .replace(':v', '1');
    const checked: string[] = [];
    for (const key of [...routes.filter((r) => !last.has(r)), ...[...last].filter((r) => routes.includes(r))]) {
      if (key in undocumented) {
        await undocumented[key]!();
        checked.push(key);
        continue;
      }
      const [method, path] = key.split(' ') as [string, string];
      if (method === 'USE' || method === 'ALL') {
        if (!open.has(key) && !guards.has(key)) throw new Error(`no probe for ${key}`);
        continue;
      }
      let req = (h.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method.toLowerCase()]!(fill(path));
      if (!open.has(key)) req = req.set(b.auth);
      const body = bodies[key];
      if (body === 'multipart') req = req.attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'b.fbx');
      else if (collections[key]) req = req.send(collections[key]);
      else if (lastBodies[key]) req = req.send(lastBodies[key]);
      else if (body) req = req.send(JSON.parse(JSON.stringify(body).replace(/"\((\w+)\)"/g, (_m, k: string) => JSON.stringify(ids[k]))) as object);
      const res = await req;
      noLeak(key, JSON.stringify(res.body ?? '') + (res.text ?? ''));
      if (open.has(key)) continue;
      if (key === 'POST /auth/password') b = { ...b, accessToken: res.body.accessToken, auth: { Authorization: `Bearer ${res.body.accessToken}` } };
      if (key in collections || last.has(key)) expect({ route: key, ok: res.status < 300 }).toEqual({ route: key, ok: true });
      else expect({ route: key, status: [403, 404].includes(res.status) ? 'refused' : res.status }).toEqual({ route: key, status: 'refused' });
      checked.push(key);
    }
    expect(checked).toEqual(expect.arrayContaining(['GET /assets/:id', 'PATCH /assets/:id', 'DELETE /assets/:id', 'GET /assets/:id/download', 'POST /assets/:id/versions', 'GET /blobs/:sha256', 'POST /assets/:id/versions/from-blob', 'POST /assets/:id/purge', 'PATCH /users/:id', 'DELETE /invitations/:id', 'POST /auth/switch', 'DELETE /tokens/:id', 'POST /bots/:id/tokens', 'GET /webhooks/:id', 'PATCH /webhooks/:id', 'POST /webhooks/:id/deliveries/:deliveryId/redeliver', 'GET /events/stream', 'POST /render-jobs/:id/cancel', 'GET /assets/:id/versions/:v/preview', 'ALL /uploads/{*rest}', 'USE /admin/queues',
      'GET /projects/:id', 'PATCH /projects/:id', 'GET /projects/:id/grid', 'POST /projects/:id/editorial/import', 'GET /projects/:id/editorial/export', 'GET /sequences/:id/shots', 'GET /shots/:id', 'PATCH /shots/:id', 'PUT /shots/:id/casting', 'GET /assets/:id/casting', 'GET /tasks/:id', 'PATCH /tasks/:id', 'POST /tasks', 'POST /tasks/bulk', 'POST /notifications/:id/read', 'GET /search', 'GET /assets/:id/reviews', 'POST /notifications/read', 'GET /review-queue', 'PUT /notifications/digest']));
    expect(await snapshot()).toEqual(before);
  });

  it('sends every Socket.IO event as B about A\'s asset: each is refused and nothing of A changes', async () => {
    b = await givenStudio(h, 'Studio Beta Again');
    const { url, realtime } = await h.listenRealtime();
    const s = connect(url, { auth: { token: b.accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    const heard: string[] = [];
    s.onAny((event: string, payload: unknown) => heard.push(`${event} ${JSON.stringify(payload)}`));
    // The server side of B's socket tells which events it handles: a new handler joins this sweep by itself.
    const server = [...realtime.io.of('/').sockets.values()].find((x) => x.data.id === b.user.id)!;
    const events = server.eventNames().map(String).filter((e) => !['disconnect', 'disconnecting', 'error'].includes(e));
    const payloads: Record<string, { payload: unknown; code: string }> = {
      'asset:join': { payload: { assetId: ids.asset }, code: 'ASSET_NOT_FOUND' },
      'asset:leave': { payload: { assetId: ids.asset }, code: 'ASSET_NOT_FOUND' },
      'asset:comment': { payload: { assetId: ids.asset, body: 'pwned' }, code: 'ASSET_NOT_FOUND' },
      'asset:approve': { payload: { assetId: ids.asset, version: 1, decision: 'APPROVED' }, code: 'ASSET_NOT_FOUND' },
      'auth:refresh': { payload: { token: a.accessToken }, code: 'TOKEN_MISMATCH' },
    };
    expect(events.filter((e) => !payloads[e])).toEqual([]);
    const before = await snapshot();
    for (const event of events) {
      const reply = (await s.timeout(5000).emitWithAck(event, payloads[event]!.payload)) as Reply;
      expect({ event, code: reply.error?.code }).toEqual({ event, code: payloads[event]!.code });
      noLeak(event, JSON.stringify(reply));
    }
    // Sentinel: an event of B's own studio, sent after the attempts, arrives; nothing of A came before it.
    await h.http.post('/assets').set(b.auth).send({ name: 'Beta sentinel', type: 'PROP' }).expect(201);
    for (let i = 0; i < 50 && !heard.some((x) => x.startsWith('asset:created')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(heard.some((x) => x.startsWith('asset:created'))).toBe(true);
    noLeak('events heard by B', heard.join('\n'));
    expect(await snapshot()).toEqual(before);
  });
});
