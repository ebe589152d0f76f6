// The annotation model: shapes in coordinates normalised to the picture (0..1, origin top left), stored
// with a comment as flat [x0, y0, x1, y1, …] lists, and the geometry that draws them at any size.
import type { components } from '../api/schema';

export type Annotation = NonNullable<components['schemas']['Comment']['annotation']>;
export type Shape = Annotation['shapes'][number];
export type Color = Shape['color'];

/** The palette of UI.md, as the API names it, with the colour each is drawn in. */
export const PALETTE: ReadonlyArray<{ name: Color; hex: string; label: string }> = [
  { name: 'red', hex: '#ff3b30', label: 'Red' },
  { name: 'yellow', hex: '#ffd60a', label: 'Yellow' },
  { name: 'cyan', hex: '#32d7f0', label: 'Cyan' },
  { name: 'green', hex: '#30d158', label: 'Green' },
  { name: 'magenta', hex: '#ff2dd4', label: 'Magenta' },
  { name: 'white', hex: '#ffffff', label: 'White' },
];
export const colorHex = (c: Color) => PALETTE.find((p) => p.name === c)?.hex ?? '#ffffff';

/** The API's bounds (review.validators.ts): a drawing past them would be refused, so the editor stops first. */
export const LIMITS = { shapes: 32, pointsPerStroke: 1000, points: 2000, text: 200 } as const;

export interface Point { x: number; y: number }

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);
/** Four decimals: a ten-thousandth of the picture is well under a pixel of a 4K frame, and the JSON stays small. */
const round = (v: number) => Math.round(clamp01(v) * 10_000) / 10_000;

/** A pointer position inside an element's box as a point of the picture (clamped to its edges). */
export function normalise(clientX: number, clientY: number, box: { left: number; top: number; width: number; height: number }): Point {
  return { x: round((clientX - box.left) / box.width), y: round((clientY - box.top) / box.height) };
}

export const flatten = (points: Point[]) => points.flatMap((p) => [round(p.x), round(p.y)]);
export function pointsOf(shape: Shape): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < shape.points.length; i += 2) out.push({ x: shape.points[i]!, y: shape.points[i + 1]! });
  return out;
}

/**
 * A freehand path with the points a hand adds while barely moving dropped (closer than `minStep` to the
 * last kept one), then thinned evenly to the per-stroke limit. Null when it is not a line (under 2 points).
 */
export function strokeShape(path: Point[], color: Color, minStep = 0.002): Shape | null {
  const kept: Point[] = [];
  for (const p of path) {
    const last = kept.at(-1);
    if (!last || Math.hypot(p.x - last.x, p.y - last.y) >= minStep) kept.push(p);
  }
  const lastInput = path.at(-1);
  if (lastInput && kept.at(-1) !== lastInput && kept.length >= 1) kept.push(lastInput);
  if (kept.length < 2) return null;
  let points = kept;
  if (points.length > LIMITS.pointsPerStroke) {
    const step = (points.length - 1) / (LIMITS.pointsPerStroke - 1);
    points = Array.from({ length: LIMITS.pointsPerStroke }, (_, i) => kept[Math.round(i * step)]!);
  }
  return { kind: 'stroke', color, points: flatten(points) };
}

export function arrowShape(from: Point, to: Point, color: Color): Shape | null {
  if (Math.hypot(to.x - from.x, to.y - from.y) < 0.005) return null;
  return { kind: 'arrow', color, points: flatten([from, to]) };
}

export function textShape(at: Point, text: string, color: Color): Shape | null {
  const t = text.trim().slice(0, LIMITS.text);
  return t ? { kind: 'text', color, points: flatten([at]), text: t } : null;
}

export const pointCount = (shapes: Shape[]) => shapes.reduce((n, s) => n + s.points.length / 2, 0);

/** Whether one more shape keeps the drawing inside the API's bounds. */
export function fits(shapes: Shape[], next: Shape): boolean {
  return shapes.length + 1 <= LIMITS.shapes && pointCount(shapes) + next.points.length / 2 <= LIMITS.points;
}

/** What to draw, in pixels of a width×height picture: the pure part of painting, shared by every view. */
export type Stroke =
  | { type: 'line'; color: string; width: number; points: Point[] }
  | { type: 'text'; color: string; size: number; at: Point; text: string };

export function geometry(shapes: Shape[], width: number, height: number): Stroke[] {
  const lineWidth = Math.max(2, Math.round(Math.min(width, height) * 0.006));
  const px = (p: Point): Point => ({ x: p.x * width, y: p.y * height });
  const out: Stroke[] = [];
  for (const s of shapes) {
    const color = colorHex(s.color);
    const pts = pointsOf(s).map(px);
    if (s.kind === 'stroke') out.push({ type: 'line', color, width: lineWidth, points: pts });
    else if (s.kind === 'arrow') {
      const [from, to] = pts as [Point, Point];
      out.push({ type: 'line', color, width: lineWidth, points: [from, to] });
      // The head: two barbs at ±28° from the shaft, a fixed share of the picture so it reads at any length.
      const angle = Math.atan2(to.y - from.y, to.x - from.x);
      const head = Math.max(10, Math.min(width, height) * 0.035);
      for (const side of [-1, 1]) {
        const a = angle + Math.PI - side * (28 * Math.PI) / 180;
        out.push({ type: 'line', color, width: lineWidth, points: [to, { x: to.x + head * Math.cos(a), y: to.y + head * Math.sin(a) }] });
      }
    } else out.push({ type: 'text', color, size: Math.max(12, Math.round(height * 0.045)), at: pts[0]!, text: s.text });
  }
  return out;
}

/** Paints shapes on a 2D canvas context sized width×height (device pixels). */
export function paint(ctx: CanvasRenderingContext2D, shapes: Shape[], width: number, height: number) {
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const g of geometry(shapes, width, height)) {
    if (g.type === 'line') {
      ctx.strokeStyle = g.color;
      ctx.lineWidth = g.width;
      ctx.beginPath();
      g.points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
      ctx.stroke();
    } else {
      ctx.font = `600 ${g.size}px system-ui, sans-serif`;
      ctx.textBaseline = 'top';
      // A dark outline keeps a label readable on a bright frame.
      ctx.lineWidth = Math.max(2, g.size / 8);
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.strokeText(g.text, g.at.x, g.at.y);
      ctx.fillStyle = g.color;
      ctx.fillText(g.text, g.at.x, g.at.y);
    }
  }
}
