// Tenant isolation sweep: every route of the OpenAPI document, called with studio B's token on studio A's
// resources, answers 403/404 (or, for collections, B's own empty data) and leaks nothing of studio A.
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

type Op = { method: string; path: string };

describe('tenant isolation sweep over the OpenAPI document', () => {
  let h: Harness;
  let a: Session;
  let b: Session;
  const secrets: string[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    a = await givenStudio(h, 'Studio Alpha Secret');
    b = await givenStudio(h, 'Studio Beta');
    const asset = (await h.http.post('/assets').set(a.auth).send({ name: 'Top Secret Asset', type: 'SHOT', description: 'alpha-only description' })).body;
    await h.http.post(`/assets/${asset.id}/versions`).set(a.auth).attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'alpha-secret.fbx').expect(201);
    await h.http.post(`/assets/${asset.id}/comments`).set(a.auth).send({ body: 'alpha secret note' }).expect(201);
    const render = (await h.http.post(`/assets/${asset.id}/render`).set(a.auth).send({ engine: 'simulated' }).expect(202)).body;
    ids.asset = asset.id;
    ids.render = render.id;
    ids.user = a.user.id;
    secrets.push(asset.id, render.id, a.user.id, a.user.email, 'Top Secret Asset', 'alpha-only description', 'alpha-secret.fbx', 'alpha secret note', 'Studio Alpha Secret');
  });
  afterAll(() => h.close());

  /** A valid request for each route, so the call reaches the tenancy check instead of failing validation. */
  const bodies: Record<string, object | 'multipart' | undefined> = {
    'post /assets/{id}/versions': 'multipart',
    'post /assets/{id}/upload': 'multipart',
    'patch /assets/{id}': { description: 'pwned' },
    'patch /assets/{id}/rollback': { version: 1 },
    'post /assets/{id}/comments': { body: 'pwned' },
    'post /assets/{id}/versions/{v}/review': { decision: 'APPROVED' },
    'post /assets/{id}/render': {},
    'patch /users/{id}': { role: 'ARTIST' },
    'post /render-jobs/{id}/cancel': undefined,
    'post /render-jobs/{id}/retry': undefined,
  };
  // Routes that do not name another studio's resource: B gets its own (empty or self) data.
  const collections = new Set(['get /assets', 'get /users', 'get /render-jobs', 'post /render-jobs/retry', 'get /auth/me', 'post /assets', 'post /users', 'patch /studio/settings']);
  const publicRoutes = new Set(['post /auth/register', 'post /auth/login', 'post /auth/refresh', 'post /auth/logout']);

  const fill = (path: string) =>
    path
      .replace(/^\/users\/\{id\}/, `/users/${ids.user}`)
      .replace(/^\/render-jobs\/\{id\}/, `/render-jobs/${ids.render}`)
      .replace('{id}', ids.asset!)
      .replace('{v}', '1');

  it('covers every documented route and leaks nothing of studio A', async () => {
    const doc = (await h.http.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const ops: Op[] = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
    expect(ops.length).toBeGreaterThan(30);
    const before = {
      asset: await h.container.models.Asset.findById(ids.asset).lean(),
      versions: await h.container.models.AssetVersion.countDocuments({ assetId: ids.asset }),
      comments: await h.container.models.Comment.countDocuments({ assetId: ids.asset }),
      render: await h.container.models.RenderJob.findById(ids.render).lean(),
      user: await h.container.models.User.findById(ids.user).lean(),
    };
    const checked: string[] = [];
    for (const { method, path } of ops) {
      const key = `${method} ${path}`;
      if (publicRoutes.has(key)) continue;
      const url = fill(path);
      let req = (h.http as unknown as Record<string, (u: string) => import('supertest').Test>)[method]!(url).set(b.auth);
      const body = bodies[key];
      if (body === 'multipart') req = req.attach('file', Buffer.from('; FBX 7.4.0 project file\n'), 'b.fbx');
      else if (collections.has(key)) req = req.send(key === 'post /assets' ? { name: 'Beta asset', type: 'PROP' } : key === 'post /users' ? { email: 'beta.member@studio.test', name: 'Beta', role: 'ARTIST', password: 'correct horse battery' } : key === 'patch /studio/settings' ? { autoRender: false } : {});
      else if (body) req = req.send(body);
      const res = await req;
      const text = JSON.stringify(res.body ?? '') + (res.text ?? '');
      for (const secret of secrets) expect({ route: key, leaked: text.includes(secret) ? secret : null }).toEqual({ route: key, leaked: null });
      if (collections.has(key)) expect({ route: key, ok: res.status < 300 }).toEqual({ route: key, ok: true });
      else expect({ route: key, status: [403, 404].includes(res.status) ? 'refused' : res.status }).toEqual({ route: key, status: 'refused' });
      checked.push(key);
    }
    expect(checked).toEqual(expect.arrayContaining(['get /assets/{id}', 'patch /assets/{id}', 'delete /assets/{id}', 'get /assets/{id}/download', 'post /assets/{id}/versions', 'patch /users/{id}', 'post /render-jobs/{id}/cancel', 'get /assets/{id}/versions/{v}/preview']));
    // A new route that this sweep does not know how to call must be added here, not skipped silently.
    expect(checked.length + [...publicRoutes].filter((k) => ops.some((o) => `${o.method} ${o.path}` === k)).length).toBe(ops.length);

    expect(await h.container.models.Asset.findById(ids.asset).lean()).toEqual(before.asset);
    expect(await h.container.models.AssetVersion.countDocuments({ assetId: ids.asset })).toBe(before.versions);
    expect(await h.container.models.Comment.countDocuments({ assetId: ids.asset })).toBe(before.comments);
    expect(await h.container.models.RenderJob.findById(ids.render).lean()).toEqual(before.render);
    expect(await h.container.models.User.findById(ids.user).lean()).toEqual(before.user);
  });
});
