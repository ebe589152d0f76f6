// Word-prefix search on names from a multikey index: each searchable document keeps its name's words
// (`nameWords`: lower-cased, accents folded, split on anything that is not a letter or digit), written
// beside `nameLower` on every write and backfilled by migrations/20261209000000-name-words.js. A query's
// words each match the start of one of those words ("key" and "her" both find "Hero key art"), as anchored
// regexes on a lower-case field, which MongoDB turns into tight index bounds (a `/key/i` scan would read
// every name of the studio).
import type { QueryFilter, Types } from 'mongoose';

/** Words kept per name: a 200-character name has at most 100, and people search by the first few dozen. */
export const NAME_WORDS_MAX = 32;
/** Characters kept per word: longer runs (hashes, ids) are still found by their first 40. */
export const NAME_WORD_CHARS = 40;
/** Words a query may have: more would mean one index range filtered by many conditions. */
export const QUERY_WORDS_MAX = 6;

const COMBINING = /\p{M}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

/** The distinct words of a name, in order, at most NAME_WORDS_MAX of at most NAME_WORD_CHARS each. */
export function nameWords(name: string): string[] {
  const words = new Set<string>();
  for (const m of name.normalize('NFKD').replace(COMBINING, '').toLowerCase().matchAll(WORD)) {
    words.add(m[0].slice(0, NAME_WORD_CHARS));
    if (words.size === NAME_WORDS_MAX) break;
  }
  return [...words];
}

/** A query's words, the same way; the longest first, since it drives the index range and is the most selective. */
export function queryWords(q: string): string[] {
  return nameWords(q).sort((a, b) => b.length - a.length);
}

/**
 * The conditions for documents whose words start with each of `words` (from queryWords, at least one):
 * `driver` joins the equality fields of the index's head (its range comes next in the index), `rest`
 * filters what that range reads. The words hold letters and digits only, so no regex syntax can get in.
 */
export function wordsFilter<T>(words: string[]): { driver: QueryFilter<T>; rest: Array<QueryFilter<T>> } {
  const cond = (w: string) => ({ nameWords: { $regex: `^${w}` } }) as QueryFilter<T>;
  const [first, ...others] = words;
  if (first === undefined) throw new Error('wordsFilter needs at least one word');
  return { driver: cond(first), rest: others.map(cond) };
}

/**
 * `equal` (the index's head: the tenant first) and one word's range, then the other words: for an index
 * {...equal, nameWords, _id}.
 */
export function nameWordsQuery<T>(equal: { studioId: Types.ObjectId | string } & QueryFilter<T>, words: string[]): QueryFilter<T> {
  const { driver, rest } = wordsFilter<T>(words);
  const head = { ...equal, ...driver } as QueryFilter<T>;
  return rest.length ? ({ $and: [head, ...rest] } as QueryFilter<T>) : head;
}
