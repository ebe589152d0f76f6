// An asset's review decisions with their words ("Request changes: hold the pose"), shown where the work is
// (the review page of the version, the task page), not only in the bell. Kept fresh by asset:approved.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import type { components } from '../api/schema';
import { when } from '../inbox/when';

export type Decision = components['schemas']['ReviewDecisionSummary'];

export function useDecisions(assetId: string, enabled = true) {
  return useQuery({
    queryKey: keys.reviewDecisions.list(assetId),
    enabled: enabled && Boolean(assetId),
    queryFn: async () => unwrap(await api.GET('/assets/{id}/reviews', { params: { path: { id: assetId }, query: { limit: 100 } } })).data,
  });
}

export const decisionText = (d: Pick<Decision, 'decision' | 'note'>) => `${d.decision === 'APPROVED' ? 'Approved' : 'Request changes'}${d.note ? `: ${d.note}` : ''}`;

/** The decisions, newest first; with `showVersion`, each says which version it was on. */
export function DecisionList({ decisions, nameOf, showVersion, label, className }: { decisions: Decision[]; nameOf: (id: string) => string; showVersion?: boolean; label: string; className?: string }) {
  return (
    <ol aria-label={label} className={className} style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 6 }}>
      {decisions.map((d) => (
        <li key={d.id} data-decision={d.decision} style={{ borderLeft: `3px solid ${d.decision === 'APPROVED' ? 'var(--approved)' : 'var(--changes)'}`, paddingLeft: 8 }}>
          <p style={{ margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{decisionText(d)}</p>
          <p style={{ margin: 0, fontSize: 12, color: 'var(--muted)' }}>
            {showVersion ? `v${d.version} · ` : ''}{nameOf(d.decidedBy)} · <time dateTime={d.createdAt}>{when(d.createdAt)}</time>
          </p>
        </li>
      ))}
    </ol>
  );
}
