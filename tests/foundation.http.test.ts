import { givenStudio } from './support/factories';
import { startHarness, type Harness } from './support/harness';

describe('foundation: probes, error contract, correlation IDs and metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, {
      extraRoutes: (app) => {
        app.get('/__boom/:id', () => {
          throw new Error('secret internals: db password is hunter2');
        });
      },
    });
  });
  afterAll(() => h.close());

  it('answers /health with 200 while the process serves', async () => {
    const res = await h.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('answers /ready with 200 and both checks up when MongoDB and Redis are reachable', async () => {
    const res = await h.http.get('/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { mongo: 'up', redis: 'up' } });
  });

  it('answers /ready with 503 as soon as shutdown begins', async () => {
    h.container.lifecycle.shuttingDown = true;
    try {
      const res = await h.http.get('/ready');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('shutting_down');
    } finally {
      h.container.lifecycle.shuttingDown = false;
    }
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const good = await h.http.get('/health').set('X-Request-Id', 'client-req-12345');
    expect(good.headers['x-request-id']).toBe('client-req-12345');
    const bad = await h.http.get('/health').set('X-Request-Id', 'bad id with spaces<script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives malformed JSON a 400 in the error contract with the response correlation ID', async () => {
    const res = await h.http.post('/anything').set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_JSON', message: expect.any(String), correlationId: res.headers['x-request-id'] } });
  });

  it('refuses text no store can keep (NUL, unpaired surrogates) with 400 in bodies and query strings, storing nothing', async () => {
    const producer = await givenStudio(h);
    const asset = (await h.http.post('/assets').set(producer.auth).send({ name: 'Clean', type: 'PROP' }).expect(201)).body;
    // Raw JSON, so the escapes reach the server exactly as a client could send them.
    for (const [body, path] of [
      ['{"tags":["ok","a\\u0000b"]}', 'tags.1'],
      ['{"name":"x\\ud800y"}', 'name'],
      ['{"description":"\\udc00"}', 'description'],
    ] as const) {
      const res = await h.http.patch(`/assets/${asset.id}`).set(producer.auth).set('Content-Type', 'application/json').send(body);
      expect({ body, status: res.status, code: res.body.error?.code, path: res.body.error?.details?.[0]?.path }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED', path });
    }
    const query = await h.http.get('/assets').set(producer.auth).query({ q: 'a\u0000' });
    expect([query.status, query.body.error.details[0].path]).toEqual([400, 'query.q']);
    // A well-formed pair is fine.
    expect((await h.http.patch(`/assets/${asset.id}`).set(producer.auth).send({ description: 'emoji \u{1F3AC}' })).status).toBe(200);
    expect((await h.container.models.Asset.findById(asset.id).lean())?.tags).toEqual([]);
  });

  it('gives an unknown route a 404 in the error contract', async () => {
    const res = await h.http.get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(res.body.error.correlationId).toBe(res.headers['x-request-id']);
  });

  it.each([
    ['PUT', '/assets/0123456789abcdef01234567', 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['DELETE', '/auth/login', 'OPTIONS, POST'],
    ['GET', '/auth/password-reset', 'OPTIONS, POST'],
    ['POST', '/auth/password-reset/preview', 'GET, HEAD, OPTIONS'],
    ['GET', '/auth/password-reset/confirm', 'OPTIONS, POST'],
    ['POST', '/health', 'GET, HEAD, OPTIONS'],
    ['GET', '/render-jobs/retry', 'OPTIONS, POST'],
    ['DELETE', '/render-jobs/retry', 'OPTIONS, POST'],
    ['GET', '/tasks/bulk', 'OPTIONS, POST'],
    ['POST', '/review-queue', 'GET, HEAD, OPTIONS'],
    ['GET', '/notifications/read', 'OPTIONS, POST'],
    ['POST', '/notifications/digest', 'GET, HEAD, OPTIONS, PUT'],
    ['DELETE', '/assets/0123456789abcdef01234567/reviews', 'GET, HEAD, OPTIONS'],
    ['GET', '/assets/0123456789abcdef01234567/versions/from-blob', 'OPTIONS, POST'],
  ])('answers %s %s, a path that exists under other methods, with 405 and Allow in the error contract', async (method, path, allow) => {
    const s = await givenStudio(h);
    const res = await h.http[method.toLowerCase() as 'put' | 'delete' | 'post' | 'get'](path).set(s.auth).set('X-Request-Id', 'method-check-0001');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: expect.stringContaining(allow), correlationId: 'method-check-0001' } });
  });

  it('gives a 2 MB JSON body a 413 in the error contract', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) });
    const res = await h.http.post('/anything').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.error.correlationId).toBe(res.headers['x-request-id']);
  });

  it('turns an unknown thrown error into a generic 500 that leaks nothing, with the stack only in the log', async () => {
    const res = await h.http.get('/__boom/42').set('X-Request-Id', 'boom-request-0001');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error', correlationId: 'boom-request-0001' } });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const line = h.logs.find((l) => l.message === 'request failed' && l.correlationId === 'boom-request-0001');
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).toContain('stack');
  });

  it('logs each request as JSON with method, route template, status, duration and correlation ID', async () => {
    await h.http.get('/no/such/route').set('X-Request-Id', 'log-check-000001');
    const line = h.logs.find((l) => l.message === 'request' && l.correlationId === 'log-check-000001');
    expect(line).toMatchObject({ method: 'GET', route: '(unmatched)', status: 404, service: 'test' });
    expect(typeof line?.durationMs).toBe('number');
  });

  it('never writes an Authorization header, password or token into a log line', async () => {
    h.container.logger.info('auth attempt', { password: 'pw-123456789', headers: { authorization: 'Bearer abc.def.ghi' }, refreshToken: 'rt-secret' });
    const text = JSON.stringify(h.logs);
    expect(text).not.toContain('pw-123456789');
    expect(text).not.toContain('abc.def.ghi');
    expect(text).not.toContain('rt-secret');
    expect(text).toContain('[REDACTED]');
  });

  it('exposes the request histogram on /metrics labelled by route template, not raw path', async () => {
    await h.http.get('/__boom/1');
    await h.http.get('/__boom/2');
    await h.http.get('/health');
    const res = await h.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/__boom\/:id"[^}]*status="500"/);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);
    expect(res.text).not.toContain('route="/__boom/1"');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });
});

describe('foundation: /metrics with a configured bearer token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ METRICS_TOKEN: 'metrics-token-0123456789' });
  });
  afterAll(() => h.close());

  it('refuses a scrape without the token and serves one with it', async () => {
    const denied = await h.http.get('/metrics');
    expect(denied.status).toBe(401);
    expect(denied.body.error.code).toBe('METRICS_TOKEN_REQUIRED');
    const ok = await h.http.get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789');
    expect(ok.status).toBe(200);
  });
});
