// The grid's roving focus: one cell is the grid's single tab stop; the arrow keys, Home/End (with Ctrl: the
// first/last row), PageUp/PageDown move it. Row 0 is the header row, rows 1..count the data rows.
export interface CellPos { row: number; col: number }
export interface GridShape { rows: number; cols: number; pageRows: number }

const clamp = (n: number, lo: number, hi: number) => Math.min(Math.max(n, lo), hi);

/** The cell a key moves focus to, or null when the key is not a move (the caller lets it through). */
export function moveFocus(pos: CellPos, key: string, shape: GridShape, ctrl = false): CellPos | null {
  const lastRow = Math.max(0, shape.rows - 1);
  const lastCol = Math.max(0, shape.cols - 1);
  const at = (row: number, col: number) => ({ row: clamp(row, 0, lastRow), col: clamp(col, 0, lastCol) });
  switch (key) {
    case 'ArrowUp': return at(pos.row - 1, pos.col);
    case 'ArrowDown': return at(pos.row + 1, pos.col);
    case 'ArrowLeft': return at(pos.row, pos.col - 1);
    case 'ArrowRight': return at(pos.row, pos.col + 1);
    case 'Home': return ctrl ? at(0, 0) : at(pos.row, 0);
    case 'End': return ctrl ? at(lastRow, lastCol) : at(pos.row, lastCol);
    // A page moves among the data rows; from the header it goes down into them.
    case 'PageUp': return at(Math.max(pos.row === 0 ? 0 : 1, pos.row - shape.pageRows), pos.col);
    case 'PageDown': return at(pos.row + shape.pageRows, pos.col);
    default: return null;
  }
}

/** Keeps a position inside a grid whose shape changed (a search shrank it, a column went). */
export const clampFocus = (pos: CellPos, shape: GridShape): CellPos => ({ row: clamp(pos.row, 0, Math.max(0, shape.rows - 1)), col: clamp(pos.col, 0, Math.max(0, shape.cols - 1)) });
