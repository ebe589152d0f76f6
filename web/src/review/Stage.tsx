// The picture: a box of the media's aspect ratio fitted into its slot, holding the video (or the image, with
// zoom and pan) and the annotation layer at exactly the same size.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import s from './review.module.css';

/** The largest box of the given aspect ratio that fits the element. */
export function useFit(aspect: number): [React.RefObject<HTMLDivElement | null>, { w: number; h: number }] {
  const ref = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState({ w: 0, h: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fit = () => {
      const W = el.clientWidth;
      const H = el.clientHeight;
      if (!W || !H || !aspect) return;
      const w = Math.min(W, H * aspect);
      setBox({ w: Math.floor(w), h: Math.floor(w / aspect) });
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    return () => ro.disconnect();
  }, [aspect]);
  return [ref, box];
}

export function Slot({ aspect, label, children }: { aspect: number; label?: string; children: ReactNode }) {
  const [ref, box] = useFit(aspect);
  return (
    <div ref={ref} className={s.stageSlot}>
      <div className={s.stage} style={{ width: box.w, height: box.h }}>
        {label && <span className={s.stageLabel}>{label}</span>}
        {children}
      </div>
    </div>
  );
}

/** An image with wheel/button zoom and drag pan; its children (the annotation layer) zoom with it. */
export function ZoomPan({ zoom, onZoom, children, panEnabled }: { zoom: number; onZoom: (z: number) => void; children: ReactNode; panEnabled: boolean }) {
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; px: number; py: number } | null>(null);
  useEffect(() => { if (zoom === 1) setPan({ x: 0, y: 0 }); }, [zoom]);
  return (
    <div
      className={s.zoomWrap}
      onWheel={(e) => onZoom(Math.min(8, Math.max(1, zoom * (e.deltaY < 0 ? 1.25 : 0.8))))}
      onPointerDown={(e) => { if (panEnabled && zoom > 1) drag.current = { x: e.clientX, y: e.clientY, px: pan.x, py: pan.y }; }}
      onPointerMove={(e) => { const d = drag.current; if (d) setPan({ x: d.px + e.clientX - d.x, y: d.py + e.clientY - d.y }); }}
      onPointerUp={() => { drag.current = null; }}
      onPointerLeave={() => { drag.current = null; }}
    >
      <div style={{ position: 'relative', width: '100%', height: '100%', transform: `translate(${pan.x}px, ${pan.y}px) scale(${zoom})`, transformOrigin: 'center' }}>{children}</div>
    </div>
  );
}
