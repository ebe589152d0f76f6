import { lazy, Suspense } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { session } from './api/client';
import { ApiError } from './api/errors';
import { RequireSession, SessionProvider } from './auth/AuthContext';
import { AcceptInvitation } from './pages/AcceptInvitation';
import { AssetDetail } from './pages/AssetDetail';
import { AssetsPage } from './pages/Assets';
import { CreateStudio } from './pages/CreateStudio';
import { Shell } from './pages/Shell';
import { SignIn } from './pages/SignIn';
import { VerifyEmail } from './pages/VerifyEmail';
import { EmptyState } from './ui';

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 30_000, retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2 } },
});

const signedIn = (page: React.ReactNode) => <RequireSession><Shell>{() => page}</Shell></RequireSession>;
// The review page (player, annotations, compare) is its own chunk: the assets page never loads it.
const ReviewPage = lazy(() => import('./review/ReviewPage'));
const review = (
  <RequireSession>
    <Shell>{(socket) => <Suspense fallback={<p role="status" style={{ padding: 24, color: 'var(--muted)' }}>Loading the review…</p>}><ReviewPage socket={socket} /></Suspense>}</Shell>
  </RequireSession>
);

const router = createBrowserRouter(
  [
    { path: '/', element: <Navigate to="/assets" replace /> },
    { path: '/signin', element: <SignIn /> },
    { path: '/create-studio', element: <CreateStudio /> },
    { path: '/verify-email', element: <VerifyEmail /> },
    { path: '/invitations', element: <AcceptInvitation /> },
    { path: '/assets', element: signedIn(<AssetsPage />) },
    { path: '/assets/:id', element: signedIn(<AssetDetail />) },
    { path: '/assets/:assetId/versions/:versionId', element: review },
    { path: '*', element: <main><EmptyState title="Page not found"><a href="/app/assets">Go to assets</a></EmptyState></main> },
  ],
  { basename: '/app' },
);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <SessionProvider session={session}>
        <RouterProvider router={router} />
      </SessionProvider>
    </QueryClientProvider>
  );
}
