// The annotation model: normalised coordinates, shapes inside the API's bounds, and the pixel geometry
// they are drawn with at any size.
import { describe, expect, it } from 'vitest';
import { LIMITS, arrowShape, fits, geometry, normalise, pointCount, pointsOf, strokeShape, textShape, type Point, type Shape } from '../src/review/annotations';

describe('annotations', () => {
  it('normalises a pointer position to the picture, clamped to its edges and rounded to 4 decimals', () => {
    const box = { left: 100, top: 50, width: 800, height: 450 };
    expect(normalise(500, 275, box)).toEqual({ x: 0.5, y: 0.5 });
    expect(normalise(90, 600, box)).toEqual({ x: 0, y: 1 });
    expect(normalise(100 + 800 / 3, 50, box)).toEqual({ x: 0.3333, y: 0 });
  });

  it('keeps a freehand stroke as flat x,y pairs, drops jitter, keeps its end and thins it to 1000 points', () => {
    const jitter: Point[] = [{ x: 0.1, y: 0.1 }, { x: 0.1001, y: 0.1 }, { x: 0.2, y: 0.2 }, { x: 0.2001, y: 0.2001 }];
    const s = strokeShape(jitter, 'red')!;
    expect(s).toEqual({ kind: 'stroke', color: 'red', points: [0.1, 0.1, 0.2, 0.2, 0.2001, 0.2001] });
    expect(strokeShape([{ x: 0.5, y: 0.5 }, { x: 0.5001, y: 0.5 }], 'red')?.points).toEqual([0.5, 0.5, 0.5001, 0.5]);
    expect(strokeShape([{ x: 0.5, y: 0.5 }], 'red')).toBeNull();
    const long = Array.from({ length: 5000 }, (_, i) => ({ x: i / 5000, y: i % 2 ? 0.25 : 0.75 }));
    const thinned = strokeShape(long, 'cyan')!;
    expect(thinned.points).toHaveLength(LIMITS.pointsPerStroke * 2);
    expect(pointsOf(thinned)[0]).toEqual({ x: 0, y: 0.75 });
    expect(pointsOf(thinned).at(-1)).toEqual({ x: 0.9998, y: 0.25 });
  });

  it('makes arrows tail→head and text labels, refusing a dot-sized arrow and empty text', () => {
    expect(arrowShape({ x: 0.2, y: 0.2 }, { x: 0.5, y: 0.6 }, 'yellow')).toEqual({ kind: 'arrow', color: 'yellow', points: [0.2, 0.2, 0.5, 0.6] });
    expect(arrowShape({ x: 0.2, y: 0.2 }, { x: 0.201, y: 0.2 }, 'yellow')).toBeNull();
    expect(textShape({ x: 0.1, y: 0.9 }, '  fix edge  ', 'white')).toEqual({ kind: 'text', color: 'white', points: [0.1, 0.9], text: 'fix edge' });
    expect(textShape({ x: 0.1, y: 0.9 }, '   ', 'white')).toBeNull();
    expect(textShape({ x: 0.1, y: 0.9 }, 'x'.repeat(300), 'white')).toMatchObject({ text: 'x'.repeat(200) });
  });

  it('stops at 32 shapes and 2000 points in all, as the API does', () => {
    const arrow = arrowShape({ x: 0, y: 0 }, { x: 1, y: 1 }, 'red')!;
    expect(fits(Array.from({ length: 31 }, () => arrow), arrow)).toBe(true);
    expect(fits(Array.from({ length: 32 }, () => arrow), arrow)).toBe(false);
    const big = strokeShape(Array.from({ length: 1000 }, (_, i) => ({ x: i / 1000, y: i % 2 ? 0 : 1 })), 'red')!;
    expect(pointCount([big, big])).toBe(2000);
    expect(fits([big], big)).toBe(true);
    expect(fits([big, big], arrow)).toBe(false);
  });

  it('draws the same shape at the same place of the picture at any size', () => {
    const shapes: Shape[] = [{ kind: 'arrow', color: 'red', points: [0.25, 0.25, 0.75, 0.5] }, { kind: 'text', color: 'white', points: [0.1, 0.8], text: 'here' }];
    const small = geometry(shapes, 640, 360);
    const big = geometry(shapes, 1920, 1080);
    expect(small[0]).toMatchObject({ type: 'line', color: '#ff3b30', points: [{ x: 160, y: 90 }, { x: 480, y: 180 }] });
    expect(big[0]).toMatchObject({ type: 'line', points: [{ x: 480, y: 270 }, { x: 1440, y: 540 }] });
    // The head's two barbs start at the tip and point back towards the tail.
    for (const barb of small.slice(1, 3)) {
      expect(barb.type === 'line' && barb.points[0]).toEqual({ x: 480, y: 180 });
      expect(barb.type === 'line' && barb.points[1]!.x).toBeLessThan(480);
    }
    expect(big[3]).toMatchObject({ type: 'text', at: { x: 192, y: 864 }, text: 'here', color: '#ffffff' });
  });
});
