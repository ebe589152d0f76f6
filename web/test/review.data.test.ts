// The review page's pure data rules: comments from fetches and live events merged once each in seq order,
// and which media a version is reviewed through.
import { describe, expect, it } from 'vitest';
import { mediaSourceOf, mergeComments, type Comment, type Pipeline, type Version } from '../src/review/data';

const comment = (seq: number, body = `note ${seq}`): Comment => ({
  id: `c${seq}`, assetId: 'a1', seq, version: 1, authorId: 'u1', body, frame: seq, fps: null, timecode: null, annotation: null, createdAt: '2026-01-01T00:00:00.000Z',
});

describe('mergeComments', () => {
  it('keeps each comment once, in seq order, whether it came live, from the first fetch or from ?after=', () => {
    const loaded = [comment(1), comment(2)];
    const live = mergeComments(loaded, [comment(4)]);
    // The catch-up after a reconnect returns 3 and 4; 4 had already arrived live.
    const caughtUp = mergeComments(live, [comment(3), comment(4)]);
    expect(caughtUp.map((c) => c.seq)).toEqual([1, 2, 3, 4]);
    expect(mergeComments(caughtUp, [])).toBe(caughtUp);
    expect(mergeComments(caughtUp, [comment(2, 'edited')]).find((c) => c.seq === 2)?.body).toBe('edited');
  });
});

describe('mediaSourceOf', () => {
  const version = (mimeType: string): Version => ({
    id: 'v1', assetId: 'a1', studioId: 's1', version: 3, changeNote: '', createdBy: 'u1', createdAt: '2026-01-01T00:00:00.000Z',
    file: { size: 1, sha256: 'x', mimeType, originalName: 'f', verified: true },
  });
  const pipeline = (outputs: Partial<Pipeline['outputs']>): Pipeline => ({
    assetId: 'a1', version: 3, status: 'READY', steps: [], error: null, media: null, outputs: { thumbnail: false, preview: false, renderJobId: null, ...outputs },
  });
  it('plays a video through its H.264 preview and shows browser images at full size, others by their thumbnail', () => {
    expect(mediaSourceOf('a1', version('video/quicktime'), pipeline({ preview: true, thumbnail: true }))).toEqual({ kind: 'video', path: '/assets/a1/versions/3/preview' });
    expect(mediaSourceOf('a1', version('image/png'), pipeline({ thumbnail: true }))).toEqual({ kind: 'image', path: '/assets/a1/versions/3/download' });
    expect(mediaSourceOf('a1', version('image/x-exr'), pipeline({ thumbnail: true }))).toEqual({ kind: 'image', path: '/assets/a1/versions/3/thumbnail' });
    expect(mediaSourceOf('a1', version('video/mp4'), pipeline({}))).toBeNull();
    expect(mediaSourceOf('a1', version('application/x-blender'), pipeline({}))).toBeNull();
  });
});
