import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, page, problem } from "../../test/fake-api";
import { renderWorkspacePage } from "../../test/workspace";
import { ChainsPage } from "./ChainsPage";

const CHAINS = "/api/v1/workspaces/ws_1/chains";

const preset = {
  slug: "full-review",
  name: "Full review",
  description: "Review a change, test it, then document it.",
  definition: {
    nodes: [
      { id: "review", template: "code-review" },
      { id: "test", template: "testing-validation" },
    ],
    edges: [{ source: "review", target: "test" }],
  },
};

const chain = {
  id: "chn_1",
  name: "Full review",
  description: "Review a change, test it, then document it.",
  preset: "full-review",
  current_version: 1,
  node_count: 3,
  strategy: "graph",
  created_by_user_id: "usr_1",
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
};

function renderChains(role = "owner", answers = {}) {
  return renderWorkspacePage({
    path: "chains",
    element: <ChainsPage />,
    role,
    answers,
    otherRoutes: [{ path: "/w/:workspaceId/chains/:chainId", element: <h1>Chain page</h1> }],
  });
}

describe("ChainsPage", () => {
  it("starts a chain from a preset, or says what the plan lacks", async () => {
    const user = userEvent.setup();
    const { requests } = renderChains("member", {
      [`GET ${CHAINS}`]: page([]),
      "GET /api/v1/chain-presets": page([preset]),
      [`POST ${CHAINS}`]: [
        problem(
          402,
          "entitlement-exceeded:active-agents",
          "The Starter plan allows 1 active agent.",
        ),
        json({ ...chain, definition: preset.definition }, 201),
      ],
    });
    await screen.findByRole("heading", { name: "No chains yet" });
    await user.click(screen.getByRole("button", { name: "Start from a preset" }));
    const dialog = within(await screen.findByRole("dialog", { name: "Start from a preset" }));
    expect(await dialog.findByText("code-review → testing-validation")).toBeInTheDocument();
    await user.click(dialog.getByRole("button", { name: "Use Full review" }));
    expect(await dialog.findByText("The Starter plan allows 1 active agent.")).toBeInTheDocument();
    await user.click(dialog.getByRole("button", { name: "Use Full review" }));
    expect(await screen.findByRole("heading", { name: "Chain page" })).toBeInTheDocument();
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts.map((request) => request.body)).toEqual([
      { preset: "full-review" },
      { preset: "full-review" },
    ]);
  });

  it("lists the chains and offers a viewer no way to add one", async () => {
    renderChains("viewer", { [`GET ${CHAINS}`]: page([chain]) });
    const list = await screen.findByRole("list", { name: "Chains" });
    expect(within(list).getByRole("link", { name: /Full review/ })).toHaveAttribute(
      "href",
      "/w/ws_1/chains/chn_1",
    );
    expect(list).toHaveTextContent("3 agents · version 1");
    await waitFor(() => {
      expect(screen.queryByRole("button", { name: "New chain from a preset" })).toBeNull();
    });
  });
});
