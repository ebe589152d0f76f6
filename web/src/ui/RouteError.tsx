// What a page shows when it throws while rendering (UI.md "honest states"): words for people, the error's
// message, Try again and a way back. Each route's page sits in its own RouteBoundary inside the shell, so
// the navigation and the top bar stay usable; a route's errorElement catches whatever is left (the shell
// itself, the pages outside it). React reports each caught error with console.error, as the e2e specs
// require: a boundary on screen is a failure there, never a hidden one.
import { Component, useId, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useRouteError, isRouteErrorResponse } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Button } from './index';
import s from './ui.module.css';

/** The error's own words, when it has any a person can use. */
function messageOf(error: unknown): string | null {
  if (isRouteErrorResponse(error)) return `${error.status} ${error.statusText}`.trim();
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : null;
}

/** Whether the browser's Back button stays in the app (react-router numbers its history entries). */
const canGoBack = () => typeof window !== 'undefined' && ((window.history.state as { idx?: number } | null)?.idx ?? 0) > 0;

export function RouteProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const navigate = useNavigate();
  const id = useId();
  const message = messageOf(error);
  return (
    <section className={s.problem} role="alert" aria-labelledby={id} data-route-error="">
      <h1 id={id}>This page hit a problem</h1>
      <p>Something on this page failed while it was being shown. Nothing you saved is lost: try again, or go back to where you were.</p>
      {message && <p className={s.problemDetail}>What failed: <code>{message}</code></p>}
      <div className={s.problemActions}>
        <Button variant="primary" onClick={onRetry}>Try again</Button>
        {canGoBack() && <Button onClick={() => void navigate(-1)}>Go back</Button>}
        <Link to="/assets">Go to assets</Link>
      </div>
    </section>
  );
}

class Boundary extends Component<{ resetKey: string; onReset: () => void; children: ReactNode }, { error: unknown; failed: boolean }> {
  state = { error: null as unknown, failed: false };

  static getDerivedStateFromError(error: unknown) {
    return { error, failed: true };
  }

  componentDidUpdate(prev: { resetKey: string }) {
    // Another page (a link in the navigation, Back) starts clean.
    if (this.state.failed && prev.resetKey !== this.props.resetKey) this.setState({ error: null, failed: false });
  }

  retry = () => {
    this.props.onReset();
    this.setState({ error: null, failed: false });
  };

  render() {
    return this.state.failed ? <RouteProblem error={this.state.error} onRetry={this.retry} /> : this.props.children;
  }
}

/**
 * The boundary around one route's page. Try again drops the cached data of the queries no page is using (the
 * failed page's, unmounted while the problem shows) so it starts from fresh answers, then renders it anew.
 */
export function RouteBoundary({ children }: { children: ReactNode }) {
  const location = useLocation();
  const client = useQueryClient();
  return <Boundary resetKey={location.key} onReset={() => client.removeQueries({ type: 'inactive' })}>{children}</Boundary>;
}

/** A route's errorElement: the last resort, a page of its own (the shell may be what failed). */
export function RouteErrorPage() {
  const error = useRouteError();
  return <main className={s.problemPage}><RouteProblem error={error} onRetry={() => window.location.reload()} /></main>;
}
