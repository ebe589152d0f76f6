// Client logic of the studios/search helpers: why a session ended (from the refused refresh's details), search
// results grouped and walked in one order, studios of the same name told apart.
import { describe, expect, it } from 'vitest';
import { Session } from '../src/auth/session';
import { flatten, groupsOf, type SearchAnswer } from '../src/search/results';
import { studioLabel } from '../src/studios/switchStudio';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('why a session ended', () => {
  it('keeps the reason code and words of a refused refresh; a refusal without a reason signs out plainly', async () => {
    const ended = new Session({ baseUrl: 'http://x', fetch: async () => json(401, { error: { code: 'INVALID_REFRESH_TOKEN', message: 'You were signed out because your password was changed', details: [{ path: 'reason', message: 'password-changed' }] } }) });
    await ended.refresh();
    expect(ended.current).toEqual({ status: 'signed-out', ended: { reason: 'password-changed', message: 'You were signed out because your password was changed' } });
    const plain = new Session({ baseUrl: 'http://x', fetch: async () => json(401, { error: { code: 'INVALID_REFRESH_TOKEN', message: 'no' } }) });
    await plain.refresh();
    expect(plain.current).toEqual({ status: 'signed-out' });
  });
});

describe('search results', () => {
  it('groups by kind in the order assets, shots, tasks, projects, drops empty groups, and opens a shot on its asset', () => {
    const answer = {
      projects: [{ id: 'p1', name: 'Key show', code: 'KS' }],
      assets: [{ id: 'a1', name: 'Hero key art', type: 'TEXTURE' }],
      shots: [{ id: 's1', code: 'KEY010', frameIn: 1001, frameOut: 1048, assetId: 'a9', projectId: 'p1' }],
      tasks: [],
    } as unknown as SearchAnswer;
    const groups = groupsOf(answer);
    expect(groups.map((g) => g.title)).toEqual(['Assets', 'Shots', 'Projects']);
    expect(flatten(groups).map((h) => h.to)).toEqual(['/assets/a1', '/assets/a9', '/projects/p1']);
  });
});

describe('studio labels', () => {
  it('adds slug and creation day only where two studios share a name', () => {
    const a = { studioName: 'Twin', studioSlug: 'twin', studioCreatedAt: '2026-12-01T10:00:00Z' };
    const b = { studioName: 'twin ', studioSlug: 'twin-3f2a1b', studioCreatedAt: '2026-12-07T10:00:00Z' };
    const c = { studioName: 'Other', studioSlug: 'other', studioCreatedAt: '2026-12-01T10:00:00Z' };
    expect(studioLabel(c, [a, b, c])).toBe('Other');
    expect(studioLabel(a, [a, b, c])).toMatch(/^Twin — twin, created .*2026/);
    expect(studioLabel(b, [a, b, c])).toMatch(/twin-3f2a1b, created/);
  });
});
