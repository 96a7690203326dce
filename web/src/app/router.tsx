import { Outlet, createBrowserRouter, type RouteObject } from "react-router";

import { SessionsPage } from "../features/account/SessionsPage";
import { AgentsPage } from "../features/agents/AgentsPage";
import { ApiKeysPage } from "../features/api-keys/ApiKeysPage";
import { AuthLayout } from "../features/auth/AuthLayout";
import { ForgotPasswordPage } from "../features/auth/ForgotPasswordPage";
import { ResetPasswordPage } from "../features/auth/ResetPasswordPage";
import { SignInPage } from "../features/auth/SignInPage";
import { SignUpPage } from "../features/auth/SignUpPage";
import { VerifyEmailPage } from "../features/auth/VerifyEmailPage";
import { BillingPage } from "../features/billing/BillingPage";
import { BillingRedirect } from "../features/billing/BillingRedirect";
import { OnboardingPage } from "../features/onboarding/OnboardingPage";
import { NotFoundPage } from "../features/errors/NotFoundPage";
import { RouteErrorPage } from "../features/errors/RouteErrorPage";
import { AcceptInvitationPage } from "../features/invitations/AcceptInvitationPage";
import { MembersPage } from "../features/members/MembersPage";
import { ProvidersPage } from "../features/providers/ProvidersPage";
import { RunsPage } from "../features/runs/RunsPage";
import { HomeRedirect } from "../features/session/HomeRedirect";
import { NoWorkspacePage } from "../features/session/NoWorkspacePage";
import { RequireSession } from "../features/session/RequireSession";
import { AppShell } from "../features/shell/AppShell";
import { WorkspaceHomePage } from "../features/workspace/WorkspaceHomePage";

/** Where the app is served from; every route below is under it. */
export const APP_BASENAME = "/app";

/** The app's pages. Paths are relative to `/app`. The pages that bring a charting or
 * graph library load on first visit, so the rest of the app does not carry them. */
export const routes: RouteObject[] = [
  {
    errorElement: <RouteErrorPage />,
    children: [
      {
        element: <AuthLayout />,
        children: [
          { path: "sign-in", element: <SignInPage /> },
          { path: "sign-up", element: <SignUpPage /> },
          { path: "forgot-password", element: <ForgotPasswordPage /> },
          { path: "reset-password", element: <ResetPasswordPage /> },
          { path: "verify-email", element: <VerifyEmailPage /> },
        ],
      },
      {
        // A public share link: no session, no app navigation.
        path: "share/:token",
        lazy: () =>
          import("../features/sharing/SharedRunPage").then((page) => ({
            Component: page.SharedRunPage,
          })),
      },
      {
        element: (
          <RequireSession>
            <Outlet />
          </RequireSession>
        ),
        children: [
          { index: true, element: <HomeRedirect /> },
          {
            element: <AuthLayout />,
            children: [{ path: "invitations/accept", element: <AcceptInvitationPage /> }],
          },
          { path: "no-workspace", element: <NoWorkspacePage /> },
          { path: "billing", element: <BillingRedirect /> },
          {
            path: "w/:workspaceId",
            element: <AppShell />,
            children: [
              { index: true, element: <WorkspaceHomePage /> },
              { path: "onboarding", element: <OnboardingPage /> },
              { path: "agents", element: <AgentsPage /> },
              {
                path: "agents/:agentId",
                lazy: () =>
                  import("../features/agents/editor/AgentEditorPage").then((page) => ({
                    Component: page.AgentEditorPage,
                  })),
              },
              {
                path: "agents/:agentId/evals",
                lazy: () =>
                  import("../features/evals/EvalsPage").then((page) => ({
                    Component: page.EvalsPage,
                  })),
              },
              {
                path: "agents/:agentId/evals/runs/:evalRunId",
                lazy: () =>
                  import("../features/evals/EvalRunPage").then((page) => ({
                    Component: page.EvalRunPage,
                  })),
              },
              { path: "runs", element: <RunsPage /> },
              {
                path: "runs/:runId",
                lazy: () =>
                  import("../features/runs/run-detail/RunDetailPage").then((page) => ({
                    Component: page.RunDetailPage,
                  })),
              },
              {
                path: "playground",
                lazy: () =>
                  import("../features/playground/PlaygroundPage").then((page) => ({
                    Component: page.PlaygroundPage,
                  })),
              },
              {
                path: "usage",
                lazy: () =>
                  import("../features/usage/UsagePage").then((page) => ({
                    Component: page.UsagePage,
                  })),
              },
              {
                path: "chains",
                lazy: () =>
                  import("../features/chains/ChainsPage").then((page) => ({
                    Component: page.ChainsPage,
                  })),
              },
              {
                path: "chains/new",
                lazy: () =>
                  import("../features/chains/ChainEditorPage").then((page) => ({
                    Component: page.ChainEditorPage,
                  })),
              },
              {
                path: "chains/:chainId/edit",
                lazy: () =>
                  import("../features/chains/ChainEditorPage").then((page) => ({
                    Component: page.ChainEditorPage,
                  })),
              },
              {
                path: "chains/:chainId",
                lazy: () =>
                  import("../features/chains/ChainPage").then((page) => ({
                    Component: page.ChainPage,
                  })),
              },
              {
                path: "chain-runs/:chainRunId",
                lazy: () =>
                  import("../features/chains/ChainRunPage").then((page) => ({
                    Component: page.ChainRunPage,
                  })),
              },
              {
                path: "schedules",
                lazy: () =>
                  import("../features/schedules/SchedulesPage").then((page) => ({
                    Component: page.SchedulesPage,
                  })),
              },
              {
                path: "webhooks",
                lazy: () =>
                  import("../features/webhooks/WebhooksPage").then((page) => ({
                    Component: page.WebhooksPage,
                  })),
              },
              {
                path: "budgets",
                lazy: () =>
                  import("../features/budgets/BudgetsPage").then((page) => ({
                    Component: page.BudgetsPage,
                  })),
              },
              {
                path: "knowledge",
                lazy: () =>
                  import("../features/knowledge/KnowledgePage").then((page) => ({
                    Component: page.KnowledgePage,
                  })),
              },
              { path: "api-keys", element: <ApiKeysPage /> },
              { path: "providers", element: <ProvidersPage /> },
              { path: "members", element: <MembersPage /> },
              { path: "billing", element: <BillingPage /> },
              { path: "account/sessions", element: <SessionsPage /> },
              {
                path: "account/security",
                lazy: () =>
                  import("../features/security/SecurityPage").then((page) => ({
                    Component: page.SecurityPage,
                  })),
              },
              {
                path: "sso",
                lazy: () =>
                  import("../features/security/SsoPage").then((page) => ({
                    Component: page.SsoPage,
                  })),
              },
              {
                path: "audit-log",
                lazy: () =>
                  import("../features/security/AuditLogPage").then((page) => ({
                    Component: page.AuditLogPage,
                  })),
              },
              {
                path: "settings",
                lazy: () =>
                  import("../features/settings/SettingsPage").then((page) => ({
                    Component: page.SettingsPage,
                  })),
              },
            ],
          },
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes, { basename: APP_BASENAME });
}
