// Bad input to the production routes answers in the error contract (4xx with a code), never a 500, and
// changes nothing.
import { startHarness, type Harness } from './support/harness';
import { givenStudio, type Session } from './support/factories';

describe('production routes refuse bad input cleanly', () => {
  let h: Harness;
  let producer: Session;
  let ids: { project: string; sequence: string; shot: string };
  beforeAll(async () => {
    h = await startHarness({ RATE_LIMIT_MAX: '100000' });
    producer = await givenStudio(h);
    const project = (await h.http.post('/projects').set(producer.auth).send({ name: 'Bad', code: 'BAD' }).expect(201)).body;
    const sequence = (await h.http.post(`/projects/${project.id}/sequences`).set(producer.auth).send({ code: 'SQ' }).expect(201)).body;
    const shot = (await h.http.post(`/sequences/${sequence.id}/shots`).set(producer.auth).send({ code: 'SH', frameIn: 1, frameOut: 2 }).expect(201)).body;
    ids = { project: project.id, sequence: sequence.id, shot: shot.id };
  });
  afterAll(async () => h.close());

  it.each([
    ['search with a NUL', 'get', '/search?q=%00abc', undefined, undefined],
    ['search with regex metacharacters', 'get', '/search?q=(.*)%2B%5B', undefined, undefined],
    ['unknown search kind', 'get', '/search?q=a&types=users', undefined, undefined],
    ['a task with an impossible date', 'post', '/tasks', { entityType: 'SHOT', entityId: '(shot)', taskTypeId: '(shot)', dueDate: '2027-13-45' }, undefined],
    ['a float frame rate', 'post', '/projects', { name: 'x', code: 'X1', fps: { num: 23.976, den: 1 } }, undefined],
    ['a code with a slash', 'post', '/projects', { name: 'x', code: 'a/b' }, undefined],
    ['a shot range backwards', 'patch', '/shots/(shot)', { frameIn: 10, frameOut: 5 }, undefined],
    ['a casting count of zero', 'put', '/shots/(shot)/casting', { items: [{ assetId: '0123456789abcdef01234567', count: 0 }] }, undefined],
    ['a grid cursor from elsewhere', 'get', '/projects/(project)/grid?cursor=abc', undefined, undefined],
    ['an editorial import without a format', 'post', '/projects/(project)/editorial/import', 'sequence,shot\n', 'text/csv'],
    ['an OTIO sent as CSV', 'post', '/projects/(project)/editorial/import?format=csv&dryRun=false', '{"OTIO_SCHEMA":"Timeline.1"}', 'application/vnd.opentimelineio+json'],
    ['binary garbage as CSV', 'post', '/projects/(project)/editorial/import?format=csv&dryRun=false', '\u0000\u0001\u0002,\u00ff\n\u0000', 'text/csv'],
    ['a CSV with a NUL in a description', 'post', '/projects/(project)/editorial/import?format=csv&dryRun=false', 'sequence,shot,frame_in,frame_out,description\nSQ,N1,1,2,a\u0000b\n', 'text/csv'],
  ] as Array<[string, 'get' | 'post' | 'patch' | 'put', string, unknown, string | undefined]>)('%s', async (_name, method, rawPath, body, type) => {
    const before = await h.container.models.Shot.find({}).lean();
    const path = rawPath.replace(/\((\w+)\)/g, (_m, k: keyof typeof ids) => ids[k]);
    let req = h.http[method](path).set(producer.auth);
    if (type) req = req.set('Content-Type', type).send(body as string);
    else if (body !== undefined) req = req.send(body as object);
    const res = await req;
    if (path.startsWith('/search') && res.status === 200) {
      // A prefix search with odd characters is still a search: it finds nothing here.
      expect(res.body).toEqual({ projects: [], assets: [], shots: [], tasks: [] });
    } else {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
    }
    expect(await h.container.models.Shot.find({}).lean()).toEqual(before);
  });
});
