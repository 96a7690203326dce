import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { renderPage } from "../../test/render";
import { PlanLimitOrFormAlert, type PlanLimit } from "./PlanLimitAlert";

const agentsLimit: PlanLimit = {
  message: "Your plan allows 3 agents.",
  limit: 3,
  current: 3,
  upgradePlan: "growth",
};

describe("PlanLimitOrFormAlert", () => {
  it("shows the plan's limit, with the way to a plan that has room, instead of the error", () => {
    renderPage(
      <PlanLimitOrFormAlert
        planLimit={agentsLimit}
        error={{ message: "Not shown.", requestId: null }}
        workspaceId="ws_1"
      />,
    );
    expect(screen.getByText("Your plan's limit is reached")).toBeVisible();
    expect(screen.getByText("In use: 3 of 3.")).toBeVisible();
    expect(screen.getByRole("link", { name: "Upgrade to Growth" })).toHaveAttribute(
      "href",
      "/w/ws_1/billing",
    );
    expect(screen.queryByText("Not shown.")).toBeNull();
  });

  it("shows the form's error, with its request id, for any other failure", () => {
    renderPage(
      <PlanLimitOrFormAlert
        planLimit={null}
        error={{ message: "The name is taken.", requestId: "req_7" }}
        workspaceId="ws_1"
      />,
    );
    expect(screen.getByRole("alert")).toHaveTextContent("The name is taken.");
    expect(screen.getByRole("alert")).toHaveTextContent("req_7");
  });

  it("shows nothing when nothing failed", () => {
    renderPage(
      <PlanLimitOrFormAlert
        planLimit={null}
        error={{ message: null, requestId: null }}
        workspaceId="ws_1"
      />,
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
