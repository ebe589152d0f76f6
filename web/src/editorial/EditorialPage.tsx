// A project's editorial import: choose a cut (CSV, CMX 3600 EDL or OpenTimelineIO), read what it would change
// (new, re-timed, moved and omitted shots, with the work each touches), apply it after a confirmation that says
// what will happen, and see what was applied. The file goes to the API as it is on disk, twice (the preview,
// then the apply); nothing here reads it.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { waitInWords, type ApiError } from '../api/errors';
import { keys } from '../api/keys';
import { Button, Dialog, EmptyState, Select, Skeleton, TextField, useSecondsLeft } from '../ui';
import { useProject, useStatuses } from '../production/data';
import { ProjectTabs, ProjectUnavailable } from '../production/ProjectPage';
import { useSetupRole } from '../setup/roles';
import { downloadFile } from '../media/useBlobUrl';
import { sendCut } from './send';
import { refusalInWords, problemsCaption, type Refusal } from './refusal';
import {
  FORMAT_NAMES, actionSentence, affectsInWords, consequences, count, formatOf, isNoChange, matching, moveInWords, pageOf, rangeInWords,
  recordInWords, retimeInWords, sequencesInWords, summarise, tooLargeToSend, totalsInWords, type CutFormat, type Report, type Summary,
} from './report';
import s from './editorial.module.css';

const PAGE = 50;
const ACCEPT = '.csv,.edl,.otio,text/csv,application/x-edl,application/vnd.opentimelineio+json';

type State =
  | { step: 'idle' }
  | { step: 'previewing'; file: File; format: CutFormat }
  | { step: 'preview'; file: File; format: CutFormat; report: Report }
  | { step: 'applying'; file: File; format: CutFormat; report: Report }
  | { step: 'applied'; file: File; format: CutFormat; report: Report }
  | { step: 'refused'; file: File | null; format: CutFormat; refusal: Refusal; during: 'preview' | 'apply' };

export function EditorialPage() {
  const { projectId = '' } = useParams();
  const project = useProject(projectId);
  const { lead } = useSetupRole();
  if (project.error) return <ProjectUnavailable error={project.error as ApiError} onRetry={() => void project.refetch()} className={s.page} />;
  return (
    <div className={s.page}>
      <div className={s.toolbar}><h1>{project.data ? `${project.data.name} · editorial` : <Skeleton width="200px" />}</h1></div>
      <ProjectTabs projectId={projectId} />
      <div className={s.body}>
        {lead ? <Importer projectId={projectId} /> : (
          <EmptyState title="Directors and producers import cuts">Ask one of them to import the editor&apos;s cut; its shots then appear in the shot grid.</EmptyState>
        )}
      </div>
    </div>
  );
}

function Importer({ projectId }: { projectId: string }) {
  const client = useQueryClient();
  const [state, setState] = useState<State>({ step: 'idle' });
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<CutFormat | ''>('');
  const [pickError, setPickError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const result = useRef<HTMLHeadingElement>(null);
  useEffect(() => () => abort.current?.abort(), []);
  // The outcome of a step takes the focus, so a keyboard or screen-reader user lands on it.
  useEffect(() => { if (state.step === 'preview' || state.step === 'applied' || state.step === 'refused') result.current?.focus(); }, [state.step]);

  /** A preview (no digest), or the apply of the preview with this digest. */
  const run = async (chosen: File, as: CutFormat, digest?: string) => {
    const dryRun = digest === undefined;
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    try {
      const report = await sendCut(projectId, chosen, as, digest, controller.signal);
      if (controller.signal.aborted) return;
      if (dryRun) setState({ step: 'preview', file: chosen, format: as, report });
      else {
        setState({ step: 'applied', file: chosen, format: as, report });
        await Promise.all([
          client.invalidateQueries({ queryKey: keys.grids.ofProject(projectId) }),
          client.invalidateQueries({ queryKey: keys.gridWindows.ofProject(projectId) }),
          client.invalidateQueries({ queryKey: keys.sequences.list(projectId) }),
          client.invalidateQueries({ queryKey: keys.sequenceShots.all() }),
          client.invalidateQueries({ queryKey: keys.shots.all() }),
        ]);
      }
    } catch (err) {
      if (controller.signal.aborted) return;
      setState({ step: 'refused', file: chosen, format: as, refusal: refusalInWords(err, as, dryRun ? 'preview' : 'apply'), during: dryRun ? 'preview' : 'apply' });
    }
  };

  const choose = (picked: File | null) => {
    abort.current?.abort();
    setFile(picked);
    setPickError(null);
    setState({ step: 'idle' });
    if (picked) setFormat(formatOf(picked.name) ?? '');
  };

  const preview = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setPickError('Choose a cut file first: a CSV, an EDL or an OpenTimelineIO (.otio) timeline.');
    if (!format) return setPickError(`Choose the format of ${file.name}: its name does not say whether it is a CSV, an EDL or an OpenTimelineIO timeline.`);
    const refused = tooLargeToSend(file, format);
    if (refused) return setPickError(refused);
    setPickError(null);
    setState({ step: 'previewing', file, format });
    void run(file, format);
  };

  const cancel = () => {
    abort.current?.abort();
    setState({ step: 'idle' });
  };

  const apply = () => {
    if (state.step !== 'preview') return;
    setConfirming(false);
    setState({ step: 'applying', file: state.file, format: state.format, report: state.report });
    void run(state.file, state.format, state.report.digest);
  };

  const again = () => {
    choose(null);
    if (input.current) input.current.value = '';
    input.current?.focus();
  };

  const busy = state.step === 'previewing' || state.step === 'applying';
  const download = () => {
    setDownloadError(null);
    downloadFile(`/projects/${projectId}/editorial/export`, 'cut.otio').catch(() => setDownloadError('The current cut could not be downloaded. Check your network and try again.'));
  };
  return (
    <>
      <section className={s.section} aria-labelledby="cut-heading">
        <div className={s.toolbar}>
          <h2 id="cut-heading">Import a cut</h2><span className={s.spacer} />
          <Button variant="ghost" onClick={download}>Download the current cut (.otio)</Button>
        </div>
        {downloadError && <p role="alert" className={s.fieldError}>{downloadError}</p>}
        <p className={s.muted}>
          The editor&apos;s cut as a CSV (columns sequence, shot, frame_in, frame_out, and optionally record_in, record_out, fps, description), a CMX 3600 EDL or an
          OpenTimelineIO timeline. Previewing changes nothing: you read what the cut changes, then apply it.
        </p>
        <form className={s.pick} noValidate onSubmit={preview}>
          <FileField inputRef={input} disabled={busy} onPick={choose} error={pickError} />
          <Select label="Format" value={format} disabled={busy} onChange={(e) => { setFormat(e.target.value as CutFormat | ''); setState({ step: 'idle' }); }}
            options={[{ value: '', label: 'Choose…' }, { value: 'csv', label: 'CSV' }, { value: 'edl', label: 'CMX 3600 EDL' }, { value: 'otio', label: 'OpenTimelineIO (.otio)' }]} />
          <Button type="submit" variant="primary" disabled={busy}>Preview changes</Button>
        </form>
      </section>

      {state.step === 'previewing' && (
        <section className={s.section} aria-busy="true" aria-labelledby="reading-heading">
          <h2 id="reading-heading">Reading {state.file.name}…</h2>
          <p role="status" className={s.muted}>Comparing the {FORMAT_NAMES[state.format]} with the project&apos;s shots. A cut of thousands of re-timed shots can take a minute.</p>
          <div className={s.skeletons} aria-hidden="true"><Skeleton width="40%" /><Skeleton width="70%" /><Skeleton width="60%" /></div>
          <div><Button onClick={cancel}>Cancel</Button></div>
        </section>
      )}

      {state.step === 'refused' && (
        <RefusalView refusal={state.refusal} file={state.file} headingRef={result} retryLabel={state.during === 'apply' ? 'Preview again' : 'Try again'}
          onRetry={state.file && state.refusal.retry ? () => { if (state.file) { setState({ step: 'previewing', file: state.file, format: state.format }); void run(state.file, state.format); } } : undefined} />
      )}

      {(state.step === 'preview' || state.step === 'applying') && (
        <PreviewView report={state.report} file={state.file} headingRef={result} applying={state.step === 'applying'} onApply={() => setConfirming(true)} onCancel={again} />
      )}

      {state.step === 'applied' && <AppliedView projectId={projectId} report={state.report} headingRef={result} onAnother={again} />}

      {state.step === 'preview' && (
        <ConfirmDialog open={confirming} summary={summarise(state.report)} fileName={state.file.name} onCancel={() => setConfirming(false)} onConfirm={apply} />
      )}
    </>
  );
}

/** The file input, with its visible label and the chosen file's name and size for a person to check. */
function FileField({ inputRef, disabled, onPick, error }: { inputRef: React.RefObject<HTMLInputElement | null>; disabled: boolean; onPick: (f: File | null) => void; error: string | null }) {
  const id = useId();
  return (
    <div className={s.field}>
      <label htmlFor={id} className={s.label}>Cut file</label>
      <input ref={inputRef} id={id} type="file" accept={ACCEPT} disabled={disabled} className={s.file}
        aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onPick(e.currentTarget.files?.[0] ?? null)} />
      {error && <span id={`${id}-error`} role="alert" className={s.fieldError}>{error}</span>}
    </div>
  );
}

function RefusalView({ refusal, file, headingRef, onRetry, retryLabel }: { refusal: Refusal; file: File | null; headingRef: React.RefObject<HTMLHeadingElement | null>; onRetry?: () => void; retryLabel: string }) {
  return (
    <section className={s.refusal} role="alert" aria-labelledby="refusal-heading">
      <h2 id="refusal-heading" ref={headingRef} tabIndex={-1}>{refusal.title}</h2>
      <p>{refusal.text}</p>
      {file && <p className={s.muted}>File: {file.name}</p>}
      {refusal.problems.length > 0 && (
        <div className={s.problems}>
          <table className={s.table}>
            <caption>{problemsCaption(refusal)}</caption>
            <thead><tr><th scope="col">Where</th><th scope="col">Problem</th></tr></thead>
            <tbody>{refusal.problems.map((p, i) => <tr key={i}><td data-label="Where" className="tabular">{p.where}</td><td data-label="Problem">{p.message}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      {onRetry && <RetryButton wait={refusal.retryAfterSeconds} label={retryLabel} onRetry={onRetry} />}
    </section>
  );
}

function RetryButton({ wait, label, onRetry }: { wait?: number; label: string; onRetry: () => void }) {
  const left = useSecondsLeft(wait);
  return <div><Button onClick={onRetry} disabled={left > 0}>{left > 0 ? `${label} in ${waitInWords(left)}` : label}</Button></div>;
}

function Counts({ summary, done }: { summary: Summary; done: boolean }) {
  const items: Array<[string, number, string]> = [
    ['new', summary.added, done ? 'added' : 'new'],
    ['retimed', summary.retimed, 're-timed'],
    ['moved', summary.moved, 'moved'],
    ['omitted', summary.omitted, 'omitted'],
    ['unchanged', summary.unchanged, 'unchanged'],
  ];
  return (
    <ul className={s.counts} aria-label={done ? 'What changed' : 'What the cut changes'}>
      {items.map(([kind, n, word]) => <li key={kind} data-kind={kind}><span className={s.count}>{count(n)}</span> {word}</li>)}
    </ul>
  );
}

function PreviewView({ report, file, headingRef, applying, onApply, onCancel }: { report: Report; file: File; headingRef: React.RefObject<HTMLHeadingElement | null>; applying: boolean; onApply: () => void; onCancel: () => void }) {
  const summary = summarise(report);
  if (isNoChange(summary)) {
    return (
      <section className={s.section} aria-labelledby="diff-heading">
        <h2 id="diff-heading" ref={headingRef} tabIndex={-1}>This cut matches the project</h2>
        <p>All {count(summary.unchanged)} shots of {file.name} are as the project has them: there is nothing to apply.</p>
        <div><Button onClick={onCancel}>Choose another file</Button></div>
      </section>
    );
  }
  return (
    <section className={s.section} aria-labelledby="diff-heading">
      <h2 id="diff-heading" ref={headingRef} tabIndex={-1}>What {file.name} changes</h2>
      <Counts summary={summary} done={false} />
      {summary.newSequences.length > 0 && <p>New {summary.newSequences.length === 1 ? 'sequence' : 'sequences'}: {sequencesInWords(summary.newSequences)}.</p>}
      <WorkLine summary={summary} />
      <div className={s.actions}>
        <Button onClick={onCancel} disabled={applying}>Cancel</Button>
        <Button variant="primary" className={s.wrapButton} onClick={onApply} disabled={applying}>{applying ? 'Applying…' : `${actionSentence(summary)}…`}</Button>
      </div>
      {applying && <p role="status" className={s.muted}>Applying the cut…</p>}
      <Diff key={report.digest} report={report} />
    </section>
  );
}

function WorkLine({ summary }: { summary: Summary }) {
  const omitted = totalsInWords(summary.work.omitted);
  const retimed = totalsInWords(summary.work.retimed);
  if (!omitted && !retimed) return null;
  return (
    <p>
      {retimed && <>Work on the re-timed shots: {retimed}. </>}
      {omitted && <>Work on the omitted shots: {omitted}.</>}
    </p>
  );
}

/** What was applied: the same decisions as the preview (the API refuses an apply whose digest no longer matches). */
function AppliedView({ projectId, report, headingRef, onAnother }: { projectId: string; report: Report; headingRef: React.RefObject<HTMLHeadingElement | null>; onAnother: () => void }) {
  const summary = summarise(report);
  return (
    <section className={s.section} aria-labelledby="diff-heading">
      <h2 id="diff-heading" ref={headingRef} tabIndex={-1}>Cut applied</h2>
      <p role="status">{actionSentence(summary, 'done')}.</p>
      <Counts summary={summary} done />
      <div className={s.actions}>
        <Button onClick={onAnother}>Import another cut</Button>
        <Link className={s.primaryLink} to={`/projects/${projectId}`}>Open the shot grid</Link>
      </div>
      <Diff key={`applied-${report.digest}`} report={report} />
    </section>
  );
}

function ConfirmDialog({ open, summary, fileName, onCancel, onConfirm }: { open: boolean; summary: Summary; fileName: string; onCancel: () => void; onConfirm: () => void }) {
  const action = actionSentence(summary);
  return (
    <Dialog open={open} title="Apply this cut?" onClose={onCancel}>
      <div className={s.confirm}>
        <p><strong>{action}</strong> from {fileName}.</p>
        {consequences(summary).map((line) => <p key={line}>{line}</p>)}
        <p className={s.muted}>Shots the cut does not change stay as they are.</p>
        <div className={s.actions}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button variant="primary" className={s.wrapButton} onClick={onConfirm} autoFocus>{action}</Button>
        </div>
      </div>
    </Dialog>
  );
}

/** The changes by kind, each a table with its heading, a page at a time, filtered by one search over all of them. */
function Diff({ report }: { report: Report }) {
  const [search, setSearch] = useState('');
  const statuses = useStatuses();
  const nameOf = (code: string) => statuses.data?.find((st) => st.code === code)?.name ?? code;
  const { shots } = report;
  const total = shots.new.length + shots.retimed.length + shots.moved.length + shots.omitted.length;
  return (
    <div className={s.diff}>
      {total > 10 && (
        <div className={s.search}><TextField label="Find a shot by code" type="search" value={search} onChange={(e) => setSearch(e.target.value)} /></div>
      )}
      <Kind title="Re-timed shots" hint="Their source frames change: the work on them may no longer fit." rows={matching(shots.retimed, search)} search={search}
        head={['Shot', 'Frames before', 'Frames after', 'Change', 'Work on it']}
        cells={(r) => [r.code, rangeInWords(r.from), rangeInWords(r.to), retimeInWords(r.from, r.to), affectsInWords(r.affects, nameOf)]} />
      <Kind title="Omitted shots" hint="Left out of this cut: they stay in the project, marked omitted." rows={matching(shots.omitted, search)} search={search}
        head={['Shot', 'Work on it']} cells={(r) => [r.code, affectsInWords(r.affects, nameOf)]} />
      <Kind title="New shots" hint="Made with the frames the cut gives them." rows={matching(shots.new, search)} search={search}
        head={['Shot', 'Sequence', 'Frames', 'Cut position']} cells={(r) => [r.code, r.sequence, rangeInWords(r), recordInWords(r)]} />
      <Kind title="Shots that move in the cut" hint="Same frames, another place in the cut." rows={matching(shots.moved, search)} search={search}
        head={['Shot', 'Sequence', 'Change']} cells={(r) => [r.code, r.to.sequence, moveInWords(r)]} />
    </div>
  );
}

function Kind<T extends { code: string }>({ title, hint, rows, search, head, cells }: { title: string; hint: string; rows: readonly T[]; search: string; head: string[]; cells: (row: T) => string[] }) {
  const [page, setPage] = useState(0);
  const headingId = useId();
  useEffect(() => setPage(0), [search]);
  if (!rows.length && !search) return null;
  const shown = pageOf(rows, page, PAGE);
  return (
    <section className={s.kind} aria-labelledby={headingId}>
      <h3 id={headingId}>{title} <span className={s.muted}>({count(rows.length)}{search ? ' match' : ''})</span></h3>
      <p className={s.muted}>{hint}</p>
      {rows.length === 0 ? <p>No {title.toLowerCase()} match “{search}”.</p> : (
        <>
          <div className={s.tableWrap}>
            <table className={s.table} aria-labelledby={headingId}>
              <thead><tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
              <tbody>
                {shown.items.map((row) => (
                  <tr key={row.code}>{cells(row).map((c, i) => (i === 0 ? <th key={i} scope="row" className="tabular">{c}</th> : <td key={i} data-label={head[i]}>{c}</td>))}</tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.pages > 1 && (
            <nav className={s.pager} aria-label={`${title}, pages`}>
              <Button onClick={() => setPage(shown.page - 1)} disabled={shown.page === 0}>Previous</Button>
              <span role="status" className="tabular">Shots {count(shown.from)}–{count(shown.to)} of {count(rows.length)}</span>
              <Button onClick={() => setPage(shown.page + 1)} disabled={shown.page + 1 >= shown.pages}>Next</Button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
