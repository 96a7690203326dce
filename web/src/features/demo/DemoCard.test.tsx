import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json, problem } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { Team } from "../session/use-me";
import { DemoBanner } from "./DemoBanner";
import { DemoCard } from "./DemoCard";

const [team] = me.teams as [Team];
const demoWorkspace = {
  id: "ws_demo",
  team_id: team.id,
  name: "Demo: Acme Payments",
  demo: true,
  created_at: "2026-11-29T09:00:00Z",
};

function renderCard(current: Team = team) {
  return renderRoutes(
    [
      { path: "/w/ws_1", element: <DemoCard team={current} /> },
      { path: "/w/:workspaceId", element: <h1>Workspace page</h1> },
    ],
    "/w/ws_1",
  );
}

describe("DemoCard", () => {
  it("creates the team's demo workspace in one click and opens it", async () => {
    const requests = fakeApi({
      "POST /api/v1/teams/team_1/demo": json(demoWorkspace, 201),
      "GET /api/v1/me": json(me),
    });
    const { router } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Create a demo workspace" }));

    expect(await screen.findByRole("heading", { name: "Workspace page" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_demo");
    expect(requests.some((request) => request.method === "POST")).toBe(true);
  });

  it("opens an existing demo without creating another", async () => {
    const requests = fakeApi({});
    const { router } = renderCard({ ...team, workspaces: [...team.workspaces, demoWorkspace] });

    await userEvent.click(screen.getByRole("button", { name: "Open the demo workspace" }));

    expect(router.state.location.pathname).toBe("/w/ws_demo");
    expect(requests).toHaveLength(0);
  });

  it("says why the demo could not be made", async () => {
    fakeApi({ "POST /api/v1/teams/team_1/demo": problem(403, "forbidden", "Not allowed.") });
    renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Create a demo workspace" }));

    expect(await screen.findByText("Not allowed.")).toBeInTheDocument();
  });

  it("is not offered to members", () => {
    renderCard({ ...team, role: "member" });
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
  });
});

describe("DemoBanner", () => {
  it("labels the demo and removes it, back to a real workspace", async () => {
    const requests = fakeApi({
      "DELETE /api/v1/teams/team_1/demo": new Response(null, { status: 204 }),
      "GET /api/v1/me": json(me),
    });
    const withDemo = { ...team, workspaces: [...team.workspaces, demoWorkspace] };
    const { router } = renderRoutes(
      [
        { path: "/w/ws_demo", element: <DemoBanner team={withDemo} workspace={demoWorkspace} /> },
        { path: "/w/:workspaceId", element: <h1>Workspace page</h1> },
      ],
      "/w/ws_demo",
    );

    expect(screen.getByRole("note", { name: "Demo workspace" })).toHaveTextContent(
      "Nothing here counts towards your plan.",
    );
    await userEvent.click(screen.getByRole("button", { name: "Remove the demo" }));

    expect(await screen.findByRole("heading", { name: "Workspace page" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1");
    expect(requests[0]?.method).toBe("DELETE");
  });
});
