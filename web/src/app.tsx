import { MantineProvider } from '@mantine/core';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useState } from 'react';
import { createBrowserRouter, Navigate, Route, RouterProvider, Routes } from 'react-router';
import { createQueryClient } from './api/query-client';
import { RequireAuth } from './features/auth/require-auth';
import { SignInPage } from './features/auth/sign-in-page';
import { AppLayout } from './features/layout/app-layout';
import { NotFoundPage } from './features/layout/not-found-page';
import { PageLoader } from './shared/loading';
import { useAlertFocus } from './shared/use-alert-focus';
import { cssVariablesResolver, theme } from './theme';

// NOTE: pages load on demand so the first load stays inside the 400 KB (gzipped JS) budget.
const HomePage = lazy(() => import('./features/home/home-page').then((m) => ({ default: m.HomePage })));
const ChangeListPage = lazy(() => import('./features/changes/change-list-page').then((m) => ({ default: m.ChangeListPage })));
const NewChangePage = lazy(() => import('./features/changes/new-change-page').then((m) => ({ default: m.NewChangePage })));
const ChangePage = lazy(() => import('./features/changes/change-page').then((m) => ({ default: m.ChangePage })));
const ServicesPage = lazy(() => import('./features/cmdb/services-page').then((m) => ({ default: m.ServicesPage })));
const ServicePage = lazy(() => import('./features/cmdb/service-page').then((m) => ({ default: m.ServicePage })));
const CisPage = lazy(() => import('./features/cmdb/cis-page').then((m) => ({ default: m.CisPage })));
const CiPage = lazy(() => import('./features/cmdb/ci-page').then((m) => ({ default: m.CiPage })));
const CiImportPage = lazy(() => import('./features/cmdb/ci-import-page').then((m) => ({ default: m.CiImportPage })));
const UsersPage = lazy(() => import('./features/admin/users-page').then((m) => ({ default: m.UsersPage })));
const TeamsPage = lazy(() => import('./features/admin/teams-page').then((m) => ({ default: m.TeamsPage })));
const TokensPage = lazy(() => import('./features/admin/tokens-page').then((m) => ({ default: m.TokensPage })));
const DeliveriesPage = lazy(() => import('./features/deliveries/deliveries-page').then((m) => ({ default: m.DeliveriesPage })));
const WebhooksPage = lazy(() => import('./features/webhooks/webhooks-page').then((m) => ({ default: m.WebhooksPage })));
const MyApprovalsPage = lazy(() => import('./features/approvals/my-approvals-page').then((m) => ({ default: m.MyApprovalsPage })));
const NotificationsPage = lazy(() => import('./features/notifications/notifications-page').then((m) => ({ default: m.NotificationsPage })));
const SlaBreachesPage = lazy(() => import('./features/sla/sla-breaches-page').then((m) => ({ default: m.SlaBreachesPage })));
const DelegationsPage = lazy(() => import('./features/delegations/delegations-page').then((m) => ({ default: m.DelegationsPage })));
const PreferencesPage = lazy(() => import('./features/layout/preferences-page').then((m) => ({ default: m.PreferencesPage })));
const SubscriptionsPage = lazy(() => import('./features/communication/subscriptions-page').then((m) => ({ default: m.SubscriptionsPage })));
const CalendarFeedsPage = lazy(() => import('./features/calendar-feeds/calendar-feeds-page').then((m) => ({ default: m.CalendarFeedsPage })));
const SchedulePage = lazy(() => import('./features/schedule/schedule-page').then((m) => ({ default: m.SchedulePage })));
const WindowsPage = lazy(() => import('./features/schedule/windows-page').then((m) => ({ default: m.WindowsPage })));
const PolicyPage = lazy(() => import('./features/policy/policy-page').then((m) => ({ default: m.PolicyPage })));
const TemplatesPage = lazy(() => import('./features/templates/templates-page').then((m) => ({ default: m.TemplatesPage })));
const NewTemplatePage = lazy(() => import('./features/templates/new-template-page').then((m) => ({ default: m.NewTemplatePage })));
const TemplatePage = lazy(() => import('./features/templates/template-page').then((m) => ({ default: m.TemplatePage })));
const CatalogueReviewsPage = lazy(() =>
  import('./features/catalogue-learning/catalogue-reviews-page').then((m) => ({ default: m.CatalogueReviewsPage })),
);
const CatalogueCandidatesPage = lazy(() =>
  import('./features/catalogue-learning/catalogue-candidates-page').then((m) => ({ default: m.CatalogueCandidatesPage })),
);
const ReclassificationSummaryPage = lazy(() =>
  import('./features/catalogue-learning/reclassification-summary-page').then((m) => ({ default: m.ReclassificationSummaryPage })),
);
const IncidentsPage = lazy(() => import('./features/incidents/incidents-page').then((m) => ({ default: m.IncidentsPage })));
const ReviewsPage = lazy(() => import('./features/reviews/reviews-page').then((m) => ({ default: m.ReviewsPage })));
const NewIncidentPage = lazy(() => import('./features/incidents/new-incident-page').then((m) => ({ default: m.NewIncidentPage })));
const IncidentImportPage = lazy(() =>
  import('./features/incidents/incident-import-page').then((m) => ({ default: m.IncidentImportPage })),
);
const IncidentPage = lazy(() => import('./features/incidents/incident-page').then((m) => ({ default: m.IncidentPage })));
const ProblemsPage = lazy(() => import('./features/problems/problems-page').then((m) => ({ default: m.ProblemsPage })));
const NewProblemPage = lazy(() => import('./features/problems/new-problem-page').then((m) => ({ default: m.NewProblemPage })));
const ProblemPage = lazy(() => import('./features/problems/problem-page').then((m) => ({ default: m.ProblemPage })));
const KnownErrorsPage = lazy(() => import('./features/problems/known-errors-page').then((m) => ({ default: m.KnownErrorsPage })));
const NewKnownErrorPage = lazy(() => import('./features/problems/new-known-error-page').then((m) => ({ default: m.NewKnownErrorPage })));
const KnownErrorPage = lazy(() => import('./features/problems/known-error-page').then((m) => ({ default: m.KnownErrorPage })));
const AuditPage = lazy(() => import('./features/audit/audit-page').then((m) => ({ default: m.AuditPage })));
const DeploymentsPage = lazy(() => import('./features/deployments/deployments-page').then((m) => ({ default: m.DeploymentsPage })));
const DeploymentPage = lazy(() => import('./features/deployments/deployment-page').then((m) => ({ default: m.DeploymentPage })));
const GateChecksPage = lazy(() => import('./features/gate/gate-checks-page').then((m) => ({ default: m.GateChecksPage })));
const GateCheckPage = lazy(() => import('./features/gate/gate-check-page').then((m) => ({ default: m.GateCheckPage })));
// NOTE: the DORA page carries echarts; lazy like every page, so the charts never weigh on the first load.
const DoraPage = lazy(() => import('./features/dora/dora-page').then((m) => ({ default: m.DoraPage })));
const IntegrationsPage = lazy(() => import('./features/integrations/integrations-page').then((m) => ({ default: m.IntegrationsPage })));
const UnauthorizedChangesPage = lazy(() =>
  import('./features/unauthorized/unauthorized-changes-page').then((m) => ({ default: m.UnauthorizedChangesPage })),
);
const UnauthorizedChangePage = lazy(() =>
  import('./features/unauthorized/unauthorized-change-page').then((m) => ({ default: m.UnauthorizedChangePage })),
);
const BoardsPage = lazy(() => import('./features/boards/boards-page').then((m) => ({ default: m.BoardsPage })));
const NewBoardPage = lazy(() => import('./features/boards/new-board-page').then((m) => ({ default: m.NewBoardPage })));
const BoardPage = lazy(() => import('./features/boards/board-page').then((m) => ({ default: m.BoardPage })));
const MeetingsPage = lazy(() => import('./features/meetings/meetings-page').then((m) => ({ default: m.MeetingsPage })));
const MeetingPage = lazy(() => import('./features/meetings/meeting-page').then((m) => ({ default: m.MeetingPage })));

/** The routes of the app, without providers (tests wrap them in a MemoryRouter). */
export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<HomePage />} />
        <Route path="changes" element={<ChangeListPage />} />
        <Route path="changes/new" element={<NewChangePage />} />
        <Route path="changes/:id" element={<ChangePage />} />
        <Route path="templates" element={<TemplatesPage />} />
        <Route path="templates/new" element={<NewTemplatePage />} />
        <Route path="templates/:id" element={<TemplatePage />} />
        <Route path="catalogue/reviews" element={<CatalogueReviewsPage />} />
        <Route path="catalogue/candidates" element={<CatalogueCandidatesPage />} />
        <Route path="catalogue/misclassification" element={<ReclassificationSummaryPage />} />
        <Route path="reviews" element={<ReviewsPage />} />
        <Route path="incidents" element={<IncidentsPage />} />
        <Route path="incidents/new" element={<NewIncidentPage />} />
        <Route path="incidents/import" element={<IncidentImportPage />} />
        <Route path="incidents/:id" element={<IncidentPage />} />
        <Route path="problems" element={<ProblemsPage />} />
        <Route path="problems/new" element={<NewProblemPage />} />
        <Route path="problems/:id" element={<ProblemPage />} />
        <Route path="known-errors" element={<KnownErrorsPage />} />
        <Route path="known-errors/new" element={<NewKnownErrorPage />} />
        <Route path="known-errors/:id" element={<KnownErrorPage />} />
        <Route path="approvals" element={<MyApprovalsPage />} />
        <Route path="me/delegations" element={<DelegationsPage />} />
        <Route path="me/calendar-feeds" element={<CalendarFeedsPage />} />
        <Route path="me/preferences" element={<PreferencesPage />} />
        <Route path="me/subscriptions" element={<SubscriptionsPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="sla/breaches" element={<SlaBreachesPage />} />
        <Route path="schedule" element={<SchedulePage />} />
        <Route path="schedule/windows" element={<WindowsPage />} />
        <Route path="cmdb" element={<Navigate to="/cmdb/services" replace />} />
        <Route path="cmdb/services" element={<ServicesPage />} />
        <Route path="cmdb/services/:id" element={<ServicePage />} />
        <Route path="cmdb/cis" element={<CisPage />} />
        <Route path="cmdb/cis/:id" element={<CiPage />} />
        <Route path="cmdb/import" element={<CiImportPage />} />
        <Route path="policy" element={<PolicyPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="deployments" element={<DeploymentsPage />} />
        <Route path="deployments/:id" element={<DeploymentPage />} />
        <Route path="gate/checks" element={<GateChecksPage />} />
        <Route path="gate/checks/:id" element={<GateCheckPage />} />
        <Route path="unauthorized-changes" element={<UnauthorizedChangesPage />} />
        <Route path="unauthorized-changes/:id" element={<UnauthorizedChangePage />} />
        <Route path="boards" element={<BoardsPage />} />
        <Route path="boards/new" element={<NewBoardPage />} />
        <Route path="boards/:id" element={<BoardPage />} />
        <Route path="meetings" element={<MeetingsPage />} />
        <Route path="meetings/:id" element={<MeetingPage />} />
        <Route path="dora" element={<DoraPage />} />
        <Route path="admin" element={<Navigate to="/admin/users" replace />} />
        <Route path="admin/users" element={<UsersPage />} />
        <Route path="admin/teams" element={<TeamsPage />} />
        <Route path="admin/tokens" element={<TokensPage />} />
        <Route path="admin/deliveries" element={<DeliveriesPage />} />
        <Route path="admin/webhooks" element={<WebhooksPage />} />
        <Route path="admin/integrations" element={<IntegrationsPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function AppProviders({ client, children }: { client: QueryClient; children: ReactNode }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    </MantineProvider>
  );
}

/**
 * NOTE: a data router (rather than <BrowserRouter>) so that a form with unsaved edits can hold a navigation
 * until the person answers (useBlocker, shared/use-unsaved-changes.ts). The routes stay declared as <Routes>
 * under one splat route: tests render the same AppRoutes.
 */
function createAppRouter() {
  return createBrowserRouter([
    {
      path: '*',
      element: (
        <Suspense fallback={<PageLoader />}>
          <AppRoutes />
        </Suspense>
      ),
    },
  ]);
}

export function App() {
  const [client] = useState(createQueryClient);
  const [router] = useState(createAppRouter);
  useAlertFocus();
  return (
    <AppProviders client={client}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
