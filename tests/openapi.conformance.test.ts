// The response-conformance guard of the test harness (support/conformance.ts): every JSON answer h.http
// receives from a documented route is checked against the OpenAPI document. These tests hold the guard to
// what it promises, on a small stand-in server that answers the documented routes as a faulty API would.
import express from 'express';
import supertest from 'supertest';
import { conformingAgent, nonconformance } from './support/conformance';

const asset = {
  id: '6b16e1c038d3a614a5e7f029', studioId: '6b16e1bf6e5a10aa47c188ca', name: 'shot:SHOTS:SH010', type: 'SHOT', description: '', tags: [] as string[],
  status: 'IN_PROGRESS', currentVersion: null, latestVersion: 0, createdBy: '6b16e1bf6e5a10aa47c188cb', updatedBy: '6b16e1bf6e5a10aa47c188cb',
  archivedAt: null, projectId: '6b16e1bf6e5a10aa47c188cc', shotId: '6b16e1bf6e5a10aa47c188cd', revision: 1, createdAt: '2026-12-07T10:00:00.000Z', updatedAt: '2026-12-07T10:00:00.000Z',
};
const { tags: _tags, ...withoutTags } = asset;
const json = { 'content-type': 'application/json; charset=utf-8' };

describe('the OpenAPI response-conformance guard', () => {
  it('finds a documented field missing and names the route, the status and the field', () => {
    expect(nonconformance('get', `/assets/${asset.id}`, { status: 200, headers: json, body: asset, text: '' })).toBeNull();
    expect(nonconformance('get', `/assets/${asset.id}?x=1`, { status: 200, headers: json, body: withoutTags, text: '' }))
      .toMatch(/^GET \/assets\/6b16e1c038d3a614a5e7f029 answered 200 \(documented as GET \/assets\/\{id\}\): the body does not match its documented schema: \(the body\) must have required property 'tags'/);
    // Inside a list and a wrong type, as nested as they come.
    expect(nonconformance('get', '/assets', { status: 200, headers: json, body: { data: [asset, { ...asset, tags: 'hero' }], page: { limit: 50, nextCursor: null, hasMore: false } }, text: '' }))
      .toContain('/data/1/tags must be array');
  });

  it('holds undocumented statuses to the document: a success it does not list fails, an error must be the error contract', () => {
    expect(nonconformance('get', `/assets/${asset.id}`, { status: 202, headers: json, body: asset, text: '' })).toContain('the document lists no 202 for this operation');
    expect(nonconformance('get', `/assets/${asset.id}`, { status: 503, headers: json, body: { error: { code: 'REDIS_UNAVAILABLE', message: 'Try again in a minute', correlationId: 'c1' } }, text: '' })).toBeNull();
    expect(nonconformance('get', `/assets/${asset.id}`, { status: 500, headers: json, body: { message: 'boom' }, text: '' })).toContain('an error outside the error contract');
  });

  it('leaves alone what the document does not judge: a body that is not JSON, a route it does not describe, HEAD', () => {
    expect(nonconformance('get', `/assets/${asset.id}/versions/1/download`, { status: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from('png'), text: '' })).toBeNull();
    expect(nonconformance('get', '/health', { status: 200, headers: json, body: { anything: true }, text: '' })).toBeNull();
    expect(nonconformance('head', `/assets/${asset.id}`, { status: 200, headers: json, body: {}, text: '' })).toBeNull();
  });

  it('prefers a literal path segment to a parameter (from-blob is not version "from-blob")', () => {
    const problem = nonconformance('post', `/assets/${asset.id}/versions/from-blob`, { status: 201, headers: json, body: { nope: true }, text: '' });
    expect(problem).toContain('(documented as POST /assets/{id}/versions/from-blob)');
  });

  describe('through a supertest agent', () => {
    const app = express();
    app.get('/assets/:id', (req, res) => { res.status(req.params.id === asset.id ? 200 : 404).json(req.params.id === asset.id ? withoutTags : { error: { code: 'ASSET_NOT_FOUND', message: 'Asset not found' } }); });
    const http = conformingAgent(supertest(app));

    it('fails the request with the path, the status and the first schema errors', async () => {
      await expect(http.get(`/assets/${asset.id}`)).rejects.toThrow(/OpenAPI response conformance: GET \/assets\/6b16e1c038d3a614a5e7f029 answered 200 .*must have required property 'tags'/);
      await expect(http.get(`/assets/${asset.id}`).expect(200)).rejects.toThrow(/required property 'tags'/);
    });

    it('reports the test\'s own failed expectation first, and passes a conforming answer', async () => {
      await expect(http.get(`/assets/${asset.id}`).expect(404)).rejects.toThrow('expected 404 "Not Found", got 200 "OK"');
      const missing = await http.get('/assets/6b16e1c038d3a614a5e7f000').expect(404);
      expect(missing.body.error.code).toBe('ASSET_NOT_FOUND');
    });
  });
});
