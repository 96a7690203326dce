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
import { NotFoundPage } from "../features/errors/NotFoundPage";
import { RouteErrorPage } from "../features/errors/RouteErrorPage";
import { AcceptInvitationPage } from "../features/invitations/AcceptInvitationPage";
import { MembersPage } from "../features/members/MembersPage";
import { RunsPage } from "../features/runs/RunsPage";
import { HomeRedirect } from "../features/session/HomeRedirect";
import { NoWorkspacePage } from "../features/session/NoWorkspacePage";
import { RequireSession } from "../features/session/RequireSession";
import { AppShell } from "../features/shell/AppShell";
import { WorkspaceHomePage } from "../features/workspace/WorkspaceHomePage";

/** Where the app is served from; every route below is under it. */
export const APP_BASENAME = "/app";

/** The app's pages. Paths are relative to `/app`. */
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
              { path: "agents", element: <AgentsPage /> },
              { path: "runs", element: <RunsPage /> },
              { path: "api-keys", element: <ApiKeysPage /> },
              { path: "members", element: <MembersPage /> },
              { path: "billing", element: <BillingPage /> },
              { path: "account/sessions", element: <SessionsPage /> },
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
