// The shot grid's window math: the grid is sized by the view's total, and only the pages of rows around
// what is on screen are fetched (by row offset), so the scrollbar is the whole cut and a jump to row 5,000
// fetches one page, not the 4,999 rows before it.

/** Rows per fetched page (the API's limit is 200; 100 keeps a jump's first paint small). */
export const WINDOW_PAGE = 100;

/** The page indices holding rows start..end (inclusive), clamped to the view's total when it is known. */
export function pagesFor(start: number, end: number, total: number | null, size = WINDOW_PAGE): number[] {
  if (end < start || start < 0) return [];
  const last = total === null ? Math.floor(end / size) : Math.min(Math.floor(end / size), Math.max(0, Math.ceil(total / size) - 1));
  const out: number[] = [];
  for (let p = Math.floor(start / size); p <= last; p++) out.push(p);
  return out;
}

/** Every page index of a view of `total` rows (what a client-side filter needs). */
export const allPages = (total: number, size = WINDOW_PAGE) => pagesFor(0, Math.max(0, total - 1), total, size);

/** Where row `index` lives: its page and its place in that page. */
export const locate = (index: number, size = WINDOW_PAGE) => ({ page: Math.floor(index / size), at: index % size });

/**
 * What the "Go to" box asks for: a row number (1-based, as people count; clamped to the view) or a shot code.
 * Null for an empty box.
 */
export function parseGoTo(text: string, total: number): { row: number } | { code: string } | null {
  const t = text.trim();
  if (!t) return null;
  if (/^\d+$/.test(t)) return { row: Math.min(Math.max(1, Number(t)), Math.max(1, total)) - 1 };
  return { code: t };
}
