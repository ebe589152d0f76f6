// The route error boundary (src/ui/RouteError.tsx): a page that throws while rendering shows words for
// people and the error's message with Try again and a way back, inside the shell, which stays usable; the
// error is still reported with console.error, which the e2e specs fail on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createMemoryRouter, Link, RouterProvider } from 'react-router';
import { RouteBoundary, RouteErrorPage } from '../src/ui/RouteError';

afterEach(cleanup);

let broken = false;
function Flaky() {
  if (broken) throw new TypeError('a.filter is not a function');
  return <h1>Review of v2</h1>;
}

function Shell({ children }: { children: React.ReactNode }) {
  return <><nav aria-label="Main"><Link to="/assets">Assets</Link><Link to="/review">Review</Link></nav><main>{children}</main></>;
}

function app(start: string, client = new QueryClient()) {
  const router = createMemoryRouter([
    { path: '/assets', element: <Shell><RouteBoundary><h1>Assets</h1></RouteBoundary></Shell>, errorElement: <RouteErrorPage /> },
    { path: '/review', element: <Shell><RouteBoundary><Flaky /></RouteBoundary></Shell>, errorElement: <RouteErrorPage /> },
    { path: '/broken-shell', element: <Flaky />, errorElement: <RouteErrorPage /> },
  ], { initialEntries: [start] });
  render(<QueryClientProvider client={client}><RouterProvider router={router} /></QueryClientProvider>);
  return { router, client };
}

describe('RouteBoundary', () => {
  it('shows the problem in words with the error\'s message inside the shell, reports it, and Try again renders the page anew', async () => {
    const reported = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    broken = true;
    const { client } = app('/review');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveAttribute('data-route-error');
    expect(screen.getByRole('heading', { name: 'This page hit a problem' })).toBeInTheDocument();
    expect(alert).toHaveTextContent('What failed: a.filter is not a function');
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Go to assets' })).toHaveAttribute('href', '/assets');
    expect(reported.mock.calls.some((args) => args.some((a) => a instanceof TypeError || String(a).includes('a.filter is not a function')))).toBe(true);

    // Try again starts the page over from fresh answers: the cache of queries no page uses is dropped.
    client.setQueryData(['stale'], 'left by the failed page');
    broken = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Review of v2' })).toBeInTheDocument();
    expect(client.getQueryData(['stale'])).toBeUndefined();
    reported.mockRestore();
  });

  it('is left behind by a link in the navigation: the next page renders clean', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    broken = true;
    const { router } = app('/assets');
    expect(await screen.findByRole('heading', { name: 'Assets' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('link', { name: 'Review' }));
    expect(await screen.findByRole('heading', { name: 'This page hit a problem' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('link', { name: 'Assets' }));
    expect(await screen.findByRole('heading', { name: 'Assets' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/assets');
    vi.restoreAllMocks();
  });

  it('leaves a failure outside any page boundary to the route\'s errorElement, a page of its own with a way home', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    broken = true;
    app('/broken-shell');
    expect(await screen.findByRole('heading', { name: 'This page hit a problem' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('a.filter is not a function');
    expect(screen.getByRole('link', { name: 'Go to assets' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    vi.restoreAllMocks();
  });
});
