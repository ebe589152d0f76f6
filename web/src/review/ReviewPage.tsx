// The review page of a version (UI.md): the picture with its annotation layer, frame-accurate transport,
// a timeline with note markers, live notes with drawings, Compare (side by side or wipe, in sync) and the
// DIRECTOR/PRODUCER decisions (by key only after a confirmation naming the version, and saying when it is
// not the latest) with the words of each shown on the version. Code-split: App.tsx loads it with React.lazy.
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { Link, useParams } from 'react-router';
import type { Socket } from 'socket.io-client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { useAsset, usePipeline, useStudioMembers, useVersionList } from '../api/queries';
import { useSessionState } from '../auth/AuthContext';
import { connectionState, onConnectionState } from '../realtime/socket';
import { Badge, Button, Dialog, EmptyState, ErrorState, Select, Skeleton } from '../ui';
import { AnnotationCanvas, type Tool } from './AnnotationCanvas';
import { PALETTE, fits, type Color, type Shape } from './annotations';
import {
  addComment, mediaSourceOf, useComments, useLiveAsset, useMediaUrl, useVersion,
  type Asset, type Comment, type Pipeline, type Version,
} from './data';
import { frameLabel, frameToTimecode, rateLabel, type Rate } from './frames';
import { Slot, ZoomPan } from './Stage';
import { Timeline } from './Timeline';
import { DecisionList, useDecisions } from './decisions';
import { useFramePlayer, type FramePlayer } from './useFramePlayer';
import s from './review.module.css';

const isNotFound = (e: unknown) => e instanceof ApiError && (e.status === 404 || e.status === 400);
const FALLBACK_RATE: Rate = { num: 24, den: 1 };

export default function ReviewPage({ socket }: { socket: Socket | null }) {
  const { assetId = '', versionId = '' } = useParams();
  const versions = useVersionList(assetId);
  // The version's number (the API's {v}); a version's id is accepted too and looked up.
  const byId = /^[0-9a-f]{24}$/i.test(versionId);
  const n = Number(versionId);
  const vNum = byId ? (versions.data?.find((v) => v.id === versionId)?.version ?? null) : Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : null;
  const asset = useAsset(assetId);
  const version = useVersion(assetId, vNum);
  const pipeline = usePipeline(assetId, vNum);
  useLiveAsset(assetId, socket);

  const missing = isNotFound(asset.error) || isNotFound(version.error) || isNotFound(versions.error) || (!byId && vNum === null) || (byId && versions.isSuccess && vNum === null);
  if (missing) {
    return (
      <EmptyState title="Version not found">
        <p>It does not exist or is not in your studio.</p>
        <Link to="/assets">Back to assets</Link>
      </EmptyState>
    );
  }
  const failed = (asset.error ?? version.error ?? pipeline.error) as Error | null;
  if (failed) return <div style={{ padding: 16 }}><ErrorState error={failed} onRetry={() => { void asset.refetch(); void version.refetch(); void pipeline.refetch(); }} /></div>;
  if (asset.data && version.data && pipeline.data === null) {
    // A version the pipeline has no record of (one committed before the pipeline existed): nothing to play.
    return (
      <EmptyState title={`v${version.data.version} has not been processed`}>
        <p>The pipeline has no record of this version, so there is no preview to review. Upload it again to review it here.</p>
        <Link to={`/assets/${asset.data.id}`}>Back to {asset.data.name}</Link>
      </EmptyState>
    );
  }
  if (!asset.data || !version.data || !pipeline.data || vNum === null) {
    return (
      <div className={s.page} aria-busy="true">
        <div className={s.stageArea}><p role="status" className={s.muted}>Loading the version…</p></div>
        <div className={s.transport}><Skeleton width="40%" /></div>
        <div className={s.versionsBar}><Skeleton width="30%" /></div>
        <aside className={s.side} aria-label="Notes"><div className={s.sideHead}><Skeleton width="60%" /><Skeleton width="80%" /></div></aside>
      </div>
    );
  }
  return <Review key={`${assetId}:${vNum}`} socket={socket} asset={asset.data} version={version.data} pipeline={pipeline.data} versions={versions.data ?? []} />;
}

/** The version's rate as one object for as long as num/den stay the same (the player's effects depend on it). */
function useStableRate(fps: Rate | null | undefined): Rate {
  const num = fps?.num ?? FALLBACK_RATE.num;
  const den = fps?.den ?? FALLBACK_RATE.den;
  return useMemo(() => ({ num, den }), [num, den]);
}

function useConnection(socket: Socket | null) {
  const subscribe = useCallback((cb: () => void) => (socket ? onConnectionState(socket, cb) : () => undefined), [socket]);
  return useSyncExternalStore(subscribe, () => (socket ? connectionState(socket) : 'connecting'));
}

interface Draft { frame: number; shapes: Shape[] }

function Review({ socket, asset, version, pipeline, versions }: { socket: Socket | null; asset: Asset; version: Version; pipeline: Pipeline; versions: Version[] }) {
  const client = useQueryClient();
  const state = useSessionState();
  const me = state.status === 'signed-in' ? state.user : null;
  const canDecide = me?.role === 'DIRECTOR' || me?.role === 'PRODUCER';
  const connection = useConnection(socket);

  const source = mediaSourceOf(asset.id, version, pipeline);
  const media = useMediaUrl(source?.path ?? null);
  const rate = useStableRate(pipeline.media?.fps);
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const player = useFramePlayer(video, rate, pipeline.media?.frames ?? null);
  const isVideo = source?.kind === 'video';
  const frame = isVideo ? player.frame : 0;
  const count = isVideo ? (pipeline.media?.frames ?? 1) : 1;
  const [imageSize, setImageSize] = useState<{ w: number; h: number } | null>(null);
  const aspect = isVideo ? (pipeline.media ? pipeline.media.width / pipeline.media.height : 16 / 9) : imageSize ? imageSize.w / imageSize.h : 16 / 9;
  const [zoom, setZoom] = useState(1);

  // What the decision is on, in the words of the show: the shot's code for a shot's backing asset.
  const shot = useQuery({
    queryKey: keys.shots.detail(asset.shotId ?? ''),
    enabled: Boolean(asset.shotId),
    queryFn: async () => unwrap(await api.GET('/shots/{id}', { params: { path: { id: asset.shotId! } } })),
  });
  const subject = asset.shotId ? (shot.data?.code ?? asset.name) : asset.name;
  const latest = Math.max(asset.latestVersion, ...versions.map((v) => v.version));
  const notLatest = latest > version.version ? `v${version.version} is not the latest (v${latest}).` : null;
  const decisions = useDecisions(asset.id);
  const onThisVersion = (decisions.data ?? []).filter((d) => d.version === version.version);

  const comments = useComments(asset.id, socket);
  const members = useStudioMembers();
  const nameOf = (id: string) => (id === me?.id ? 'You' : (members.data?.find((m) => m.id === id)?.name ?? 'Someone'));
  const notes = useMemo(() => (comments.data ?? []).filter((c) => c.version === version.version), [comments.data, version.version]);
  const [selected, setSelected] = useState<string | null>(null);
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() => {
    // Notes that arrive after the first load (live, or caught up after a reconnect) get a short highlight.
    if (!comments.isSuccess) return;
    const ids = new Set(notes.map((c) => c.id));
    const added = seen.current ? [...ids].filter((id) => !seen.current!.has(id)) : [];
    if (added.length) setFresh(new Set(added));
    seen.current = ids;
  }, [notes, comments.isSuccess]);

  const [tool, setTool] = useState<Tool>('none');
  const [color, setColor] = useState<Color>('red');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [body, setBody] = useState('');
  const [posting, setPosting] = useState(false);
  const [postError, setPostError] = useState<Error | null>(null);
  const noteBox = useRef<HTMLTextAreaElement>(null);

  const shapesHere = useMemo(() => {
    const saved = notes.filter((c) => c.frame === frame && c.annotation).flatMap((c) => c.annotation!.shapes);
    return draft && draft.frame === frame ? [...saved, ...draft.shapes] : saved;
  }, [notes, frame, draft]);

  const addShape = (shape: Shape) => {
    setDraft((d) => {
      const base = d && d.frame === frame ? d : { frame, shapes: [] };
      return fits(base.shapes, shape) ? { frame, shapes: [...base.shapes, shape] } : base;
    });
  };
  const chooseTool = (t: Tool) => {
    setTool((cur) => (cur === t ? 'none' : t));
    if (isVideo && player.playing) player.pause();
  };

  const post = async () => {
    if (!body.trim()) return;
    setPosting(true);
    setPostError(null);
    try {
      const on = draft?.shapes.length ? draft.frame : frame;
      const c = unwrap(await api.POST('/assets/{id}/comments', {
        params: { path: { id: asset.id } },
        // fps too, for a video whose rate is known: the API then stores the note's SMPTE timecode (drop-frame
        // at 29.97) for every other client; the frame stays the integer the player showed.
        body: { body: body.trim(), version: version.version, frame: on, ...(isVideo && pipeline.media?.fps ? { fps: rate.num / rate.den } : {}), ...(draft?.shapes.length ? { annotation: { shapes: draft.shapes } } : {}) },
      }));
      addComment(client, c);
      setBody('');
      setDraft(null);
      setTool('none');
      setSelected(c.id);
    } catch (err) {
      setPostError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setPosting(false);
    }
  };

  const openNote = (c: Comment) => {
    setSelected(c.id);
    if (isVideo && c.frame !== null) {
      player.pause();
      player.seek(c.frame);
    }
  };

  // Compare: another version beside this one or under a wipe, following this player's frame.
  const others = versions.filter((v) => v.version !== version.version);
  const [compareV, setCompareV] = useState<number | null>(null);
  const [mode, setMode] = useState<'side' | 'wipe'>('side');
  const [wipe, setWipe] = useState(50);

  const [decision, setDecision] = useState<null | 'changes' | 'approve'>(null);
  const [decided, setDecided] = useState<string | null>(null);
  const [decisionNote, setDecisionNote] = useState('');
  const [deciding, setDeciding] = useState(false);
  const [decisionError, setDecisionError] = useState<Error | null>(null);
  const [help, setHelp] = useState(false);
  const decide = async (d: 'APPROVED' | 'CHANGES_REQUESTED', note?: string) => {
    setDeciding(true);
    setDecisionError(null);
    try {
      const r = unwrap(await api.POST('/assets/{id}/versions/{v}/review', { params: { path: { id: asset.id, v: version.version } }, body: { decision: d, ...(note ? { note } : {}) } }));
      client.setQueryData(keys.assets.detail(asset.id), r.asset);
      void client.invalidateQueries({ queryKey: keys.reviewDecisions.list(asset.id) });
      // Decided, it leaves the queue of what waits for review.
      void client.invalidateQueries({ queryKey: keys.reviewQueue.infinite() });
      setDecided(`${d === 'APPROVED' ? 'Approved' : 'Changes requested on'} v${version.version} of ${subject}`);
      setDecision(null);
      setDecisionNote('');
    } catch (err) {
      setDecisionError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setDeciding(false);
    }
  };

  // Keyboard first (UI.md): Space, J/K/L, ←/→, Shift+←/→, C, A, R, ?.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      // Typing is typing; the frame slider (a range input) is the player's own and keeps the player's keys.
      const typing = t?.closest('textarea, select, [contenteditable="true"], dialog') || (t instanceof HTMLInputElement && t.type !== 'range');
      if (typing) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key;
      if (k === '?') { setHelp(true); e.preventDefault(); return; }
      if ((k === 'c' || k === 'C') && !e.shiftKey) { noteBox.current?.focus(); e.preventDefault(); return; }
      // One key must not decide silently (issue 28): A asks first, naming the version it applies to.
      if (canDecide && (k === 'a' || k === 'A')) { setDecisionError(null); setDecision('approve'); e.preventDefault(); return; }
      if (canDecide && (k === 'r' || k === 'R')) { setDecisionError(null); setDecision('changes'); e.preventDefault(); return; }
      if (!isVideo) return;
      if (k === ' ') { player.toggle(); e.preventDefault(); }
      else if (k === 'ArrowRight') { player.step(e.shiftKey ? 10 : 1); e.preventDefault(); }
      else if (k === 'ArrowLeft') { player.step(e.shiftKey ? -10 : -1); e.preventDefault(); }
      else if (k === 'l' || k === 'L') player.shuttle(1);
      else if (k === 'k' || k === 'K') player.shuttle(0);
      else if (k === 'j' || k === 'J') player.shuttle(-1);
      else if (k === 'Home') { player.seek(0); e.preventDefault(); }
      else if (k === 'End') { player.seek(count - 1); e.preventDefault(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const label = `Drawings on frame ${frame}: ${shapesHere.length}`;
  const picture = (
    <>
      {isVideo && media.url && <video ref={setVideo} src={media.url} preload="auto" playsInline muted data-testid="review-video" aria-label={`${asset.name} v${version.version}`} />}
      {!isVideo && media.url && <img src={media.url} alt={`${asset.name} v${version.version}`} onLoad={(e) => setImageSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} draggable={false} />}
      {media.url && <AnnotationCanvas shapes={shapesHere} tool={tool} color={color} onShape={addShape} label={label} />}
    </>
  );

  return (
    <div className={s.page}>
      <section className={s.stageArea} aria-label="Picture">
        {!source && <EmptyState title={pipeline.status === 'FAILED' ? 'No preview: the pipeline failed' : pipeline.status === 'READY' ? 'Nothing to show for this file type' : 'The preview is being made'}>
          <p>{pipeline.error?.message ?? (pipeline.status === 'READY' ? `${version.file.originalName} can be downloaded from the asset page.` : `Pipeline: ${pipeline.status.toLowerCase().replaceAll('_', ' ')}. This page updates by itself.`)}</p>
        </EmptyState>}
        {source && media.error && <ErrorState error={media.error} />}
        {source && media.loading && <p role="status" className={s.muted}>Loading the {source.kind}…</p>}
        {source && media.url && compareV === null && (
          <Slot aspect={aspect}>{isVideo ? picture : <ZoomPan zoom={zoom} onZoom={setZoom} panEnabled={tool === 'none'}>{picture}</ZoomPan>}</Slot>
        )}
        {source && media.url && compareV !== null && (
          <CompareView mode={mode} wipe={wipe} aspect={aspect} main={picture} mainLabel={`v${version.version}`} assetId={asset.id} versions={versions} other={compareV} player={isVideo ? player : null} />
        )}
      </section>

      <section className={s.transport} aria-label="Transport">
        <div className={s.controls}>
          {isVideo && (
            <>
              <Button aria-label="First frame" onClick={() => player.seek(0)} disabled={!player.ready}><EdgeIcon flip /></Button>
              <Button aria-label="Back ten frames" onClick={() => player.step(-10)} disabled={!player.ready}>◀◀</Button>
              <Button aria-label="Back one frame" onClick={() => player.step(-1)} disabled={!player.ready}>◀</Button>
              <Button aria-label={player.playing ? 'Pause' : 'Play'} onClick={player.toggle} disabled={!player.ready} variant="primary">{player.playing ? '❚❚' : '▶'}</Button>
              <Button aria-label="Forward one frame" onClick={() => player.step(1)} disabled={!player.ready}>▶</Button>
              <Button aria-label="Forward ten frames" onClick={() => player.step(10)} disabled={!player.ready}>▶▶</Button>
              <Button aria-label="Last frame" onClick={() => player.seek(count - 1)} disabled={!player.ready}><EdgeIcon /></Button>
            </>
          )}
          {!isVideo && source && (
            <>
              <Button aria-label="Zoom out" onClick={() => setZoom((z) => Math.max(1, z / 1.25))}>−</Button>
              <span className="tabular" aria-live="polite">{Math.round(zoom * 100)}%</span>
              <Button aria-label="Zoom in" onClick={() => setZoom((z) => Math.min(8, z * 1.25))}>+</Button>
              <Button onClick={() => setZoom(1)}>Fit</Button>
            </>
          )}
          <div className={s.readout} aria-live="off">
            {isVideo ? (
              <>
                <span>frame <strong data-testid="frame-number">{frameLabel(frame)}</strong> / {frameLabel(Math.max(0, count - 1))}</span>
                <span data-testid="timecode">{frameToTimecode(frame, rate)}</span>
                <span className={s.muted}>{pipeline.media?.fps ? `${rateLabel(rate)} fps (${rate.num}/${rate.den})` : 'fps unknown'}</span>
                {player.speed !== 1 && player.playing && <span className={s.muted}>{player.speed}×</span>}
              </>
            ) : source ? <span className={s.muted}>{imageSize ? `${imageSize.w} × ${imageSize.h}` : ''}</span> : null}
          </div>
          <span style={{ flex: 1 }} />
          <Button variant="ghost" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</Button>
        </div>
        {isVideo && <Timeline frame={frame} count={count} rate={rate} notes={notes} onSeek={(f) => { player.pause(); player.seek(f); }} />}
      </section>

      <nav className={s.versionsBar} aria-label="Versions">
        <span className={s.muted}>versions:</span>
        {[...versions].sort((a, b) => a.version - b.version).map((v) => (
          <Link key={v.id} to={`/assets/${asset.id}/versions/${v.version}`} aria-current={v.version === version.version ? 'page' : undefined}>v{v.version}</Link>
        ))}
        <span className={s.muted}>pipeline: {pipeline.status.toLowerCase().replaceAll('_', ' ')}</span>
      </nav>

      <aside className={s.side} aria-label="Review">
        <div className={s.sideHead}>
          <div className={s.titleRow}>
            <Link to={`/assets/${asset.id}`} aria-label={`Back to ${subject}`}>←</Link>
            <h1>{subject} · v{version.version}</h1>
            <span data-testid="asset-status" aria-live="polite"><Badge status={asset.status} /></span>
          </div>
          <div className={s.compareRow}>
            <Select label="Compare with" value={compareV === null ? '' : String(compareV)} onChange={(e) => setCompareV(e.target.value ? Number(e.target.value) : null)}
              options={[{ value: '', label: others.length ? 'No comparison' : 'No other version' }, ...others.map((v) => ({ value: String(v.version), label: `v${v.version}` }))]} />
            {compareV !== null && <Select label="Layout" value={mode} onChange={(e) => setMode(e.target.value as 'side' | 'wipe')} options={[{ value: 'side', label: 'Side by side' }, { value: 'wipe', label: 'Wipe' }]} />}
            {compareV !== null && mode === 'wipe' && (
              <label className={`${s.small} ${s.muted}`}>Wipe <input type="range" min={0} max={100} value={wipe} onChange={(e) => setWipe(Number(e.target.value))} aria-label="Wipe position" /></label>
            )}
          </div>
          <span className={[s.conn, connection === 'reconnecting' ? s.connDown : ''].join(' ')} role="status" data-testid="connection">
            {connection === 'live' ? 'Live' : connection === 'reconnecting' ? 'Reconnecting…' : 'Connecting…'}
          </span>
        </div>

        {onThisVersion.length > 0 && (
          <section className={s.decided} aria-labelledby="decisions-h">
            <h2 id="decisions-h" className={s.small}>Decisions on v{version.version}</h2>
            <DecisionList decisions={onThisVersion} nameOf={nameOf} label={`Decisions on v${version.version}`} />
          </section>
        )}
        <h2 className="visually-hidden">Notes</h2>
        {comments.isPending && <div style={{ padding: 12 }}><Skeleton width="70%" /><br /><Skeleton width="50%" /></div>}
        {comments.error instanceof Error && <div style={{ padding: 12 }}><ErrorState error={comments.error} onRetry={() => void comments.refetch()} /></div>}
        {comments.isSuccess && notes.length === 0 && <EmptyState title="No notes yet"><p>Pause on a frame, draw if it helps, and write the first note below.</p></EmptyState>}
        {notes.length > 0 && (
          <ol className={s.notes} aria-label="Notes on this version">
            {notes.map((c) => (
              <li key={c.id} className={[s.note, c.id === selected ? s.noteHere : '', fresh.has(c.id) ? s.noteFresh : ''].join(' ')}>
                <button type="button" onClick={() => openNote(c)}>
                  <span className={s.noteMeta}>
                    <strong>{nameOf(c.authorId)}</strong>
                    {c.frame !== null && isVideo && <span>@ frame {c.frame} · {frameToTimecode(c.frame, rate)}</span>}
                    {c.annotation && <span className={s.drawn}>✎ drawing</span>}
                  </span>
                  <p className={s.noteBody}>{c.body}</p>
                </button>
              </li>
            ))}
          </ol>
        )}
        {!comments.isPending && notes.length === 0 && <div style={{ flex: 1 }} />}

        <form className={s.compose} onSubmit={(e) => { e.preventDefault(); void post(); }}>
          <div className={s.tools} role="toolbar" aria-label="Drawing tools">
            <Button className={s.tool} aria-pressed={tool === 'freehand'} aria-label="Freehand" onClick={() => chooseTool('freehand')}>✎</Button>
            <Button className={s.tool} aria-pressed={tool === 'arrow'} aria-label="Arrow" onClick={() => chooseTool('arrow')}>↗</Button>
            <Button className={s.tool} aria-pressed={tool === 'text'} aria-label="Text" onClick={() => chooseTool('text')}>T</Button>
            {PALETTE.map((p) => (
              <button key={p.name} type="button" className={s.swatch} style={{ background: p.hex }} aria-label={`Colour ${p.label}`} aria-pressed={color === p.name} onClick={() => setColor(p.name)} />
            ))}
            {draft && draft.shapes.length > 0 && <Button variant="ghost" onClick={() => setDraft(null)}>Clear drawing</Button>}
          </div>
          <label htmlFor="note-box" className={`${s.small} ${s.muted}`}>
            Note {isVideo ? `on frame ${draft?.shapes.length ? draft.frame : frame}` : ''}{draft?.shapes.length ? ` with ${draft.shapes.length} drawn shape${draft.shapes.length === 1 ? '' : 's'}` : ''}
          </label>
          <textarea id="note-box" ref={noteBox} value={body} maxLength={5000} onChange={(e) => setBody(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void post(); } if (e.key === 'Escape') e.currentTarget.blur(); }} />
          {postError && <ErrorState error={postError} />}
          <Button type="submit" variant="primary" disabled={posting || !body.trim()}>{posting ? 'Posting…' : 'Post note'}</Button>
        </form>

        {canDecide && (
          <div className={s.decisions}>
            {notLatest && <p className={s.oldVersion} data-testid="not-latest">{notLatest} <Link to={`/assets/${asset.id}/versions/${latest}`}>Open v{latest}</Link></p>}
            <Button className={s.approve} onClick={() => void decide('APPROVED')} disabled={deciding}>Approve</Button>
            <Button className={s.changesBtn} onClick={() => setDecision('changes')} disabled={deciding}>Request changes</Button>
            {decisionError && !decision && <ErrorState error={decisionError} />}
            <p role="status" className={`${s.small} ${s.muted}`} data-testid="decided" style={{ margin: 0, flexBasis: '100%' }}>{decided ?? ''}</p>
          </div>
        )}
      </aside>

      <Dialog open={decision === 'approve'} title={`Approve v${version.version} of ${subject}?`} onClose={() => setDecision(null)}>
        <form onSubmit={(e) => { e.preventDefault(); void decide('APPROVED'); }} style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          {notLatest && <p className={s.oldVersion} style={{ margin: 0 }}>{notLatest}</p>}
          <p className={s.muted} style={{ margin: 0 }}>Enter approves, Escape cancels.</p>
          {decisionError && <ErrorState error={decisionError} />}
          {/* The confirming button first: the dialog focuses its first control, so Enter approves (shown on the right). */}
          <div style={{ display: 'flex', flexDirection: 'row-reverse', justifyContent: 'flex-start', gap: 8, flexWrap: 'wrap' }}>
            <Button type="submit" className={s.approve} disabled={deciding} autoFocus>Approve v{version.version}</Button>
            <Button onClick={() => setDecision(null)}>Cancel</Button>
          </div>
        </form>
      </Dialog>
      <Dialog open={decision === 'changes'} title={`Request changes on v${version.version} of ${subject}`} onClose={() => setDecision(null)}>
        <form onSubmit={(e) => { e.preventDefault(); void decide('CHANGES_REQUESTED', decisionNote.trim()); }} style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          {notLatest && <p className={s.oldVersion} style={{ margin: 0 }}>{notLatest}</p>}
          <label htmlFor="decision-note" className={s.muted}>What should change (optional)</label>
          <textarea id="decision-note" value={decisionNote} onChange={(e) => setDecisionNote(e.target.value)} maxLength={5000} rows={4} autoFocus />
          {decisionError && <ErrorState error={decisionError} />}
          <div style={{ display: 'flex', justifyContent: 'flex-end', gap: 8 }}>
            <Button onClick={() => setDecision(null)}>Cancel</Button>
            <Button type="submit" className={s.changesBtn} disabled={deciding}>Request changes</Button>
          </div>
        </form>
      </Dialog>
      <Dialog open={help} title="Keyboard shortcuts" onClose={() => setHelp(false)}>
        <dl className={s.keys}>
          <dt>Space</dt><dd>Play / pause</dd>
          <dt>J K L</dt><dd>Play backwards / stop / play forwards (press again: faster)</dd>
          <dt>← →</dt><dd>One frame back / forward</dd>
          <dt>Shift+← →</dt><dd>Ten frames back / forward</dd>
          <dt>Home End</dt><dd>First / last frame</dd>
          <dt>C</dt><dd>Write a note</dd>
          {canDecide && <><dt>A</dt><dd>Approve (asks first, naming the version)</dd><dt>R</dt><dd>Request changes</dd></>}
          <dt>?</dt><dd>This list</dd>
        </dl>
        <Button onClick={() => setHelp(false)}>Close</Button>
      </Dialog>
    </div>
  );
}

/** ▶| (or |◀ flipped) as a small SVG: the font stack need not have the media-control glyphs. */
function EdgeIcon({ flip = false }: { flip?: boolean }) {
  return (
    <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" style={flip ? { transform: 'scaleX(-1)' } : undefined}>
      <path d="M1 1 L8 6 L1 11 Z" fill="currentColor" />
      <rect x="9" y="1" width="2" height="10" fill="currentColor" />
    </svg>
  );
}

/** The other version beside this one or under a wipe; its video follows this player's frame and play state. */
function CompareView({ mode, wipe, aspect, main, mainLabel, assetId, versions, other, player }: {
  mode: 'side' | 'wipe'; wipe: number; aspect: number; main: React.ReactNode; mainLabel: string; assetId: string; versions: Version[]; other: number; player: FramePlayer | null;
}) {
  const version = versions.find((v) => v.version === other);
  const pipeline = usePipeline(assetId, other);
  const source = mediaSourceOf(assetId, version, pipeline.data ?? undefined);
  const media = useMediaUrl(source?.path ?? null);
  const rate = useStableRate(pipeline.data?.media?.fps);
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const follower = useFramePlayer(video, rate, pipeline.data?.media?.frames ?? null);
  const frame = player?.frame ?? 0;
  const playing = player?.playing ?? false;
  useEffect(() => {
    if (!video || !follower.ready) return;
    if (playing && (player?.speed ?? 1) > 0) {
      if (video.paused) follower.play(player?.speed ?? 1);
      // Playing side by side drifts a little; more than a frame apart, catch up.
      else if (Math.abs(follower.frame - frame) > 1) video.currentTime = ((frame + 0.5) * rate.den) / rate.num;
    } else {
      if (!video.paused) video.pause();
      if (follower.frame !== frame) follower.seek(frame);
    }
  }, [frame, playing, video, follower, player?.speed, rate]);

  const otherPicture = !source ? <EmptyState title={`v${other} has no preview`} /> : media.url
    ? source.kind === 'video'
      ? <video ref={setVideo} src={media.url} preload="auto" muted playsInline aria-label={`Compared version v${other}`} data-testid="compare-video" />
      : <img src={media.url} alt={`Compared version v${other}`} />
    : <p role="status" className={s.muted}>Loading v{other}…</p>;

  if (mode === 'side') {
    return (
      <>
        <Slot aspect={aspect} label={mainLabel}>{main}</Slot>
        <Slot aspect={aspect} label={`v${other}`}>{otherPicture}</Slot>
      </>
    );
  }
  return (
    <Slot aspect={aspect} label={`${mainLabel} | v${other}`}>
      {main}
      <div className={s.wipeTop} style={{ clipPath: `inset(0 0 0 ${wipe}%)`, zIndex: 1 }}>{otherPicture}</div>
      <div className={s.wipeLine} style={{ left: `${wipe}%` }} aria-hidden="true" />
    </Slot>
  );
}
