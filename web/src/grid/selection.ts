// Row selection for the grid's bulk edit: a click toggles a row and sets the anchor, a shift-click adds the
// rows from the anchor to it (those loaded; a row not yet fetched has no id to select), Space on a cell is a
// click. Selected rows are kept by id with the row as last seen, so scrolling away keeps them.
export interface Selection<R> {
  rows: ReadonlyMap<string, R>;
  /** The row index a shift-click extends from. */
  anchor: number | null;
}

export const emptySelection = <R>(): Selection<R> => ({ rows: new Map(), anchor: null });

/** A click (or Space) on row `index`; with `range`, the rows anchor..index are added (the anchor row too). */
export function clickRow<R extends { id: string }>(sel: Selection<R>, index: number, rowAt: (i: number) => R | undefined, range: boolean): Selection<R> {
  const rows = new Map(sel.rows);
  if (range && sel.anchor !== null) {
    const [from, to] = sel.anchor <= index ? [sel.anchor, index] : [index, sel.anchor];
    for (let i = from; i <= to; i++) {
      const r = rowAt(i);
      if (r) rows.set(r.id, r);
    }
    return { rows, anchor: sel.anchor };
  }
  const r = rowAt(index);
  if (!r) return sel;
  if (rows.has(r.id)) rows.delete(r.id);
  else rows.set(r.id, r);
  return { rows, anchor: index };
}

/** The selection with each row replaced by its fresher copy where one is loaded (live updates, a refetch). */
export function refreshSelection<R extends { id: string }>(sel: Selection<R>, fresh: (id: string) => R | undefined): R[] {
  return [...sel.rows.values()].map((r) => fresh(r.id) ?? r);
}
