import { Navigate, useSearchParams } from "react-router";

import { NotFoundPage } from "../errors/NotFoundPage";
import { useSignedInMe } from "../session/use-me";

/**
 * `/billing?team=<id>[&checkout=done|cancelled]`: where the payment provider sends the
 * browser back, and what emails link to. Billing belongs to a team and the app's pages to
 * a workspace, so this opens the billing page of the team's first workspace, keeping
 * `checkout`. Without `team`: the billing page of the user's first workspace.
 */
export function BillingRedirect() {
  const me = useSignedInMe();
  const [searchParams] = useSearchParams();
  const teamId = searchParams.get("team");
  const checkout = searchParams.get("checkout");
  const teams = teamId === null ? me.teams : me.teams.filter((team) => team.id === teamId);
  const workspace = teams.flatMap((team) => team.workspaces)[0];
  if (!workspace) {
    return teamId === null ? <Navigate to="/no-workspace" replace /> : <NotFoundPage />;
  }
  const query = checkout ? `?${new URLSearchParams({ checkout }).toString()}` : "";
  return <Navigate to={`/w/${workspace.id}/billing${query}`} replace />;
}
