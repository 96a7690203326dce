import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import { RequireSession } from "../session/RequireSession";
import { BillingRedirect } from "./BillingRedirect";

const company: Schemas["TeamOut"] = {
  id: "team_2",
  name: "Difference Engine Ltd",
  plan: "growth",
  personal: false,
  role: "admin",
  workspaces: [
    {
      id: "ws_8",
      team_id: "team_2",
      name: "Staging",
      demo: false,
      created_at: "2026-11-02T09:00:00Z",
    },
    {
      id: "ws_9",
      team_id: "team_2",
      name: "Production",
      demo: false,
      created_at: "2026-11-03T09:00:00Z",
    },
  ],
};

function renderRedirect(url: string) {
  fakeApi({ "GET /api/v1/me": json({ ...me, teams: [...me.teams, company] }) });
  return renderRoutes(
    [
      {
        path: "/billing",
        element: (
          <RequireSession>
            <BillingRedirect />
          </RequireSession>
        ),
      },
      { path: "/w/:workspaceId/billing", element: <p>Billing page</p> },
      { path: "/no-workspace", element: <p>No workspace</p> },
    ],
    url,
  );
}

describe("BillingRedirect", () => {
  it("opens the billing page of the team's first workspace, keeping the checkout outcome", async () => {
    const { router } = renderRedirect("/billing?team=team_2&checkout=done");
    expect(await screen.findByText("Billing page")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_8/billing");
    expect(router.state.location.search).toBe("?checkout=done");
    // Replaced: going back does not bounce through the redirect again.
    expect(router.state.historyAction).toBe("REPLACE");
  });

  it("comes back from the portal without a checkout outcome", async () => {
    const { router } = renderRedirect("/billing?team=team_1");
    expect(await screen.findByText("Billing page")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1/billing");
    expect(router.state.location.search).toBe("");
  });

  it("opens the first workspace's billing when no team is named", async () => {
    const { router } = renderRedirect("/billing");
    expect(await screen.findByText("Billing page")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1/billing");
  });

  it("shows the not-found page for a team the user is not in", async () => {
    const { router } = renderRedirect("/billing?team=team_other&checkout=done");
    expect(
      await screen.findByRole("heading", { name: "There is nothing at this address" }),
    ).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/billing");
  });
});
