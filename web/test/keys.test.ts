// @vitest-environment node
// The query-key factory (src/api/keys.ts): every key names its resource and its shape, so two shapes of one
// resource never share a cache entry; and the lint rule that keeps keys from being written anywhere else.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { keys } from '../src/api/keys';

const SHAPES = new Set(['list', 'infinite', 'detail', 'count']);

/** Factories named all, infinites or of… make prefixes for invalidating and folding events in; the rest full keys. */
const isPrefixMaker = (name: string) => name === 'all' || name === 'infinites' || /^of[A-Z]/.test(name);

/** Every key the factory makes, called with sample arguments: [path in the factory, key, is a prefix maker]. */
function allKeys(): Array<[string, readonly unknown[], boolean]> {
  const out: Array<[string, readonly unknown[], boolean]> = [];
  for (const [resource, makers] of Object.entries(keys)) {
    for (const [name, make] of Object.entries(makers as Record<string, (...args: unknown[]) => unknown>)) {
      const made = make('id1', 2, 'thumbnail');
      if (Array.isArray(made)) out.push([`${resource}.${name}`, made, isPrefixMaker(name)]);
    }
  }
  return out;
}

const isPrefix = (a: readonly unknown[], b: readonly unknown[]) => a.length <= b.length && a.every((x, i) => JSON.stringify(x) === JSON.stringify(b[i]));

describe('query keys', () => {
  it('start with the resource and then the shape of their data', () => {
    const full = allKeys().filter(([, , prefix]) => !prefix);
    expect(full.length).toBeGreaterThan(25);
    expect(full.filter(([, k]) => typeof k[0] !== 'string' || !SHAPES.has(k[1] as string)).map(([n]) => n)).toEqual([]);
  });

  it('never make one key a prefix of another, so a prefix scan of one shape finds no other shape', () => {
    const full = allKeys().filter(([, , prefix]) => !prefix);
    const clashes = full.flatMap(([a, ka]) => full.filter(([b, kb]) => a !== b && isPrefix(ka, kb)).map(([b]) => `${a} is a prefix of ${b}`));
    expect(clashes).toEqual([]);
    // The two collisions of issue 28, by name.
    expect(keys.versions.list('a1')).not.toEqual(keys.versions.infinite('a1'));
    expect(keys.users.list()).not.toEqual(keys.users.infinite());
  });

  it('have prefixes that each match a key of their resource', () => {
    const keyed = allKeys();
    const full = keyed.filter(([, , prefix]) => !prefix);
    const dangling = keyed.filter(([, k, prefix]) => prefix && !full.some(([, kf]) => isPrefix(k, kf))).map(([n]) => n);
    expect(dangling).toEqual([]);
  });

  it('lets a new version make every versions query of its asset stale, whatever its shape, and no other asset\'s', () => {
    const { predicate } = keys.versions.ofAsset('a1');
    const matches = (queryKey: readonly unknown[]) => predicate!({ queryKey } as never);
    expect(matches(keys.versions.list('a1'))).toBe(true);
    expect(matches(keys.versions.infinite('a1'))).toBe(true);
    expect(matches(keys.versions.detail('a1', 3))).toBe(true);
    expect(matches(keys.versions.list('a2'))).toBe(false);
    expect(matches(keys.assets.detail('a1'))).toBe(false);
  });
});

describe('the lint rule against key literals outside the factory', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const lint = async (code: string, file = 'web/src/review/example.tsx') => {
    const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: path.join(root, file) });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.line);
  };

  it('refuses a literal key in a query, a cache write or an invalidation, and a key from a local helper', async () => {
    const code = [
      "import { useQuery, useQueryClient } from '@tanstack/react-query';",
      'export function useThing(id: string) {',
      '  const client = useQueryClient();',
      "  client.setQueryData(['asset', id], null);",
      "  void client.invalidateQueries({ queryKey: ['versions', id] as const });",
      '  const local = (x: string) => [x];',
      '  useQuery({ queryKey: local(id), queryFn: () => 1 });',
      "  return useQuery({ queryKey: ['versions', id], queryFn: () => [] });",
      '}',
    ].join('\n');
    expect(await lint(code)).toEqual([4, 5, 7, 8]);
  });

  it('accepts keys from the factory, and literals in the factory itself', async () => {
    const code = [
      "import { useQuery, useQueryClient } from '@tanstack/react-query';",
      "import { keys } from '../api/keys';",
      'export function useThing(id: string) {',
      '  const client = useQueryClient();',
      '  client.setQueryData(keys.assets.detail(id), undefined);',
      '  void client.invalidateQueries(keys.versions.ofAsset(id));',
      '  return useQuery({ queryKey: keys.versions.list(id), queryFn: () => [] });',
      '}',
    ].join('\n');
    expect(await lint(code)).toEqual([]);
    expect(await lint("export const k = () => ['versions', 'list'] as const;", 'web/src/api/keys.ts')).toEqual([]);
  });
});
