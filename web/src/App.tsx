import { lazy, Suspense } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { session } from './api/client';
import { ApiError } from './api/errors';
import { RequireSession, SessionProvider } from './auth/AuthContext';
import { AcceptInvitation } from './pages/AcceptInvitation';
import { AssetsPage, prefetchAssetsOnStart } from './pages/Assets';
import { CreateStudio } from './pages/CreateStudio';
import { Shell } from './pages/Shell';
import { SignIn } from './pages/SignIn';
import { VerifyEmail } from './pages/VerifyEmail';
import { ForgotPassword } from './people/ForgotPassword';
import { ResetPassword } from './people/ResetPassword';
import { EmptyState, Skeleton } from './ui';
import { RouteBoundary, RouteErrorPage } from './ui/RouteError';
import { revokeMediaOnEviction } from './media/useBlobUrl';

// Pages other than the assets list load on demand (the assets page's initial JS stays in budget).
const AssetPage = lazy(() => import('./asset/AssetPage').then((m) => ({ default: m.AssetPage })));
const RendersPage = lazy(() => import('./renders/RendersPage').then((m) => ({ default: m.RendersPage })));
const RenderJobPage = lazy(() => import('./renders/RenderJobPage').then((m) => ({ default: m.RenderJobPage })));
const MembersPage = lazy(() => import('./members/MembersPage').then((m) => ({ default: m.MembersPage })));
const TokensPage = lazy(() => import('./tokens/TokensPage').then((m) => ({ default: m.TokensPage })));
// Production tracking (projects, grids, tasks, breakdown): one lazy chunk per page file under production/.
const ProjectsPage = lazy(() => import('./production/ProjectPage').then((m) => ({ default: m.ProjectsPage })));
const ProjectShots = lazy(() => import('./production/ProjectPage').then((m) => ({ default: () => <m.ProjectPage kind="SHOT" /> })));
const ProjectAssets = lazy(() => import('./production/ProjectPage').then((m) => ({ default: () => <m.ProjectPage kind="ASSET" /> })));
const BreakdownPage = lazy(() => import('./production/BreakdownPage').then((m) => ({ default: m.BreakdownPage })));
const TaskPage = lazy(() => import('./production/TasksPage').then((m) => ({ default: m.TaskPage })));
const MyTasksPage = lazy(() => import('./tracking/MyTasks').then((m) => ({ default: m.MyTasksPage })));
const TaskBoardPage = lazy(() => import('./tracking/TaskBoard').then((m) => ({ default: m.TaskBoardPage })));
const Landing = lazy(() => import('./tracking/MyTasks').then((m) => ({ default: m.Landing })));
const ProjectSettingsPage = lazy(() => import('./setup/ProjectSettingsPage').then((m) => ({ default: m.ProjectSettingsPage })));
const EditorialPage = lazy(() => import('./editorial/EditorialPage').then((m) => ({ default: m.EditorialPage })));
const TrackingSettingsPage = lazy(() => import('./setup/TrackingSettingsPage').then((m) => ({ default: m.TrackingSettingsPage })));
const ReviewQueuePage = lazy(() => import('./inbox/ReviewQueuePage').then((m) => ({ default: m.ReviewQueuePage })));
const NotificationsPage = lazy(() => import('./inbox/NotificationsPage').then((m) => ({ default: m.NotificationsPage })));
const WebhooksPage = lazy(() => import('./admin/WebhooksPage').then((m) => ({ default: m.WebhooksPage })));
const StoragePage = lazy(() => import('./admin/StoragePage').then((m) => ({ default: m.StoragePage })));
const BotsPage = lazy(() => import('./admin/BotsPage').then((m) => ({ default: m.BotsPage })));
const later = (page: React.ReactNode) => <Suspense fallback={<div style={{ padding: 24 }} aria-busy="true"><Skeleton width="40%" /></div>}>{page}</Suspense>;

const queryClient = new QueryClient({
  defaultOptions: { queries: { staleTime: 30_000, retry: (n, err) => !(err instanceof ApiError && err.status < 500) && n < 2 } },
});
revokeMediaOnEviction(queryClient);
prefetchAssetsOnStart(session, queryClient);

// Each page in its own error boundary inside the shell: a page that throws leaves the navigation usable.
const signedIn = (page: React.ReactNode) => <RequireSession><Shell>{() => <RouteBoundary>{page}</RouteBoundary>}</Shell></RequireSession>;
// The review page (player, annotations, compare) is its own chunk: the assets page never loads it.
const ReviewPage = lazy(() => import('./review/ReviewPage'));
const review = (
  <RequireSession>
    <Shell>{(socket) => <RouteBoundary><Suspense fallback={<p role="status" style={{ padding: 24, color: 'var(--muted)' }}>Loading the review…</p>}><ReviewPage socket={socket} /></Suspense></RouteBoundary>}</Shell>
  </RequireSession>
);

const router = createBrowserRouter(
  [
    { path: '/', element: <RequireSession>{later(<Landing />)}</RequireSession> },
    { path: '/signin', element: <SignIn /> },
    { path: '/create-studio', element: <CreateStudio /> },
    { path: '/verify-email', element: <VerifyEmail /> },
    { path: '/invitations', element: <AcceptInvitation /> },
    { path: '/forgot-password', element: <ForgotPassword /> },
    { path: '/reset-password', element: <ResetPassword /> },
    { path: '/assets', element: signedIn(<AssetsPage />) },
    { path: '/assets/:assetId', element: signedIn(later(<AssetPage />)) },
    { path: '/assets/:assetId/versions/:versionId', element: review },
    { path: '/renders', element: signedIn(later(<RendersPage />)) },
    { path: '/renders/:jobId', element: signedIn(later(<RenderJobPage />)) },
    { path: '/members', element: signedIn(later(<MembersPage />)) },
    { path: '/tokens', element: signedIn(later(<TokensPage />)) },
    { path: '/projects', element: signedIn(later(<ProjectsPage />)) },
    { path: '/projects/:projectId', element: signedIn(later(<ProjectShots />)) },
    { path: '/projects/:projectId/assets', element: signedIn(later(<ProjectAssets />)) },
    { path: '/projects/:projectId/breakdown', element: signedIn(later(<BreakdownPage />)) },
    { path: '/projects/:projectId/settings', element: signedIn(later(<ProjectSettingsPage />)) },
    { path: '/projects/:projectId/editorial', element: signedIn(later(<EditorialPage />)) },
    { path: '/settings/tracking', element: signedIn(later(<TrackingSettingsPage />)) },
    { path: '/tasks', element: signedIn(later(<MyTasksPage />)) },
    { path: '/tasks/board', element: signedIn(later(<TaskBoardPage />)) },
    { path: '/tasks/:taskId', element: signedIn(later(<TaskPage />)) },
    { path: '/reviews/waiting', element: signedIn(later(<ReviewQueuePage />)) },
    { path: '/notifications', element: signedIn(later(<NotificationsPage />)) },
    { path: '/admin/webhooks', element: signedIn(later(<WebhooksPage />)) },
    { path: '/admin/storage', element: signedIn(later(<StoragePage />)) },
    { path: '/admin/bots', element: signedIn(later(<BotsPage />)) },
    { path: '*', element: <main><EmptyState title="Page not found"><a href="/app/assets">Go to assets</a></EmptyState></main> },
    // The last resort of every route (the shell itself, or a page outside it, failed), instead of React Router's default.
  ].map((route) => ({ errorElement: <RouteErrorPage />, ...route })),
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
