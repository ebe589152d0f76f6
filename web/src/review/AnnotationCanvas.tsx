// The annotation layer: a canvas exactly over the picture that redraws the saved shapes of the frame on
// screen and, with a tool chosen, takes new ones (freehand, arrow, text) in normalised coordinates.
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { arrowShape, normalise, paint, strokeShape, textShape, type Color, type Point, type Shape } from './annotations';
import s from './review.module.css';

export type Tool = 'none' | 'freehand' | 'arrow' | 'text';

export function AnnotationCanvas({ shapes, tool, color, onShape, label }: { shapes: Shape[]; tool: Tool; color: Color; onShape: (shape: Shape) => void; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [live, setLive] = useState<Point[] | null>(null);
  const [placing, setPlacing] = useState<Point | null>(null);
  const [text, setText] = useState('');

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const ro = new ResizeObserver(() => setSize({ w: c.clientWidth, h: c.clientHeight }));
    ro.observe(c);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !size.w || !size.h) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(size.w * dpr);
    c.height = Math.round(size.h * dpr);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    const preview: Shape[] = [];
    if (live && live.length > 1) {
      const shape = tool === 'arrow' ? arrowShape(live[0]!, live.at(-1)!, color) : strokeShape(live, color, 0);
      if (shape) preview.push(shape);
    }
    paint(ctx, [...shapes, ...preview], c.width, c.height);
  }, [shapes, live, size, tool, color]);

  const at = (e: ReactPointerEvent) => normalise(e.clientX, e.clientY, canvas.current!.getBoundingClientRect());
  const down = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (tool === 'none' || e.button !== 0) return;
    e.preventDefault();
    if (tool === 'text') {
      setPlacing(at(e));
      setText('');
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    setLive([at(e)]);
  };
  const move = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!live) return;
    const p = at(e);
    setLive((l) => (l ? (tool === 'arrow' ? [l[0]!, p] : [...l, p]) : l));
  };
  const up = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (!live) return;
    const path = [...live, at(e)];
    setLive(null);
    const shape = tool === 'arrow' ? arrowShape(path[0]!, path.at(-1)!, color) : strokeShape(path, color);
    if (shape) onShape(shape);
  };
  const commitText = () => {
    if (placing) {
      const shape = textShape(placing, text, color);
      if (shape) onShape(shape);
    }
    setPlacing(null);
    setText('');
  };

  return (
    <>
      <canvas
        ref={canvas}
        className={[s.overlay, tool !== 'none' ? s.drawing : ''].join(' ')}
        role="img"
        aria-label={label}
        data-testid="annotation-canvas"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={() => setLive(null)}
      />
      {placing && (
        <input
          className={s.placeText}
          style={{ left: `${placing.x * 100}%`, top: `${placing.y * 100}%` }}
          aria-label="Annotation text"
          autoFocus
          maxLength={200}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === 'Enter') commitText();
            if (e.key === 'Escape') setPlacing(null);
          }}
          onBlur={commitText}
        />
      )}
    </>
  );
}
