import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json, problem } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import { RequireSession } from "../session/RequireSession";
import { AcceptInvitationPage } from "./AcceptInvitationPage";

const INVITATION_URL = "/invitations/accept?token=invitation-token-1234";
const team = {
  id: "team_2",
  name: "Difference Engine Ltd",
  plan: "growth",
  personal: false,
  role: "member",
  workspaces: [
    { id: "ws_9", team_id: "team_2", name: "Production", created_at: "2026-11-02T09:00:00Z" },
  ],
};

function renderInvitation() {
  return renderRoutes(
    [
      {
        path: "/invitations/accept",
        element: (
          <RequireSession>
            <AcceptInvitationPage />
          </RequireSession>
        ),
      },
      { path: "/sign-in", element: <p>Sign-in page</p> },
    ],
    INVITATION_URL,
  );
}

describe("AcceptInvitationPage", () => {
  it("sends a signed-out visitor to sign in, and back here afterwards", async () => {
    fakeApi({ "GET /api/v1/me": problem(401, "unauthenticated", "Sign in first.") });
    const { router } = renderInvitation();
    expect(await screen.findByText("Sign-in page")).toBeInTheDocument();
    expect(new URLSearchParams(router.state.location.search).get("next")).toBe(INVITATION_URL);
  });

  it("joins the team with the emailed token", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      "GET /api/v1/me": json(me),
      "POST /api/v1/invitations/accept": json(team),
    });
    renderInvitation();
    expect(await screen.findByText("ada@example.com")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Accept the invitation" }));
    expect(
      await screen.findByText("You joined Difference Engine Ltd as member."),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Open Production" })).toHaveAttribute(
      "href",
      "/w/ws_9",
    );
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({
      token: "invitation-token-1234",
    });
  });

  it("explains an invitation meant for another address, and offers to switch account", async () => {
    const user = userEvent.setup();
    fakeApi({
      "GET /api/v1/me": json(me),
      "POST /api/v1/invitations/accept": problem(
        403,
        "forbidden",
        "This invitation was sent to another email address.",
      ),
    });
    renderInvitation();
    await user.click(await screen.findByRole("button", { name: "Accept the invitation" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("sent to another email address");
    expect(screen.getByRole("button", { name: "Sign out" })).toBeInTheDocument();
  });
});
