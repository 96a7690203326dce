import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";

import { fakeApi, json, problem } from "../../test/fake-api";
import { stubGraphBrowser } from "../../test/react-flow";
import { renderRoutes } from "../../test/render";
import { recordedEdges, recordedRun, recordedSteps } from "../runs/run-detail/test-run";
import type { SharedRun } from "./hooks";
import { SharedRunPage } from "./SharedRunPage";

const TOKEN = "tok_abcdefghijklmnopqrstuvwxyz0123456789";
const GRAPH = `/api/v1/shared/runs/${TOKEN}/graph`;

beforeEach(() => {
  stubGraphBrowser();
});

function sharedRun(overrides: Partial<SharedRun> = {}): SharedRun {
  const run = recordedRun();
  return {
    id: run.id,
    agent_name: "Code reviewer",
    status: run.status,
    input: run.input,
    output: run.output,
    error: run.error,
    model: run.model,
    created_at: run.created_at,
    started_at: run.started_at,
    finished_at: run.finished_at,
    step_count: run.step_count,
    tokens_in: run.tokens_in,
    tokens_out: run.tokens_out,
    cost_usd: run.cost_usd,
    latency_ms: run.latency_ms,
    shared_until: null,
    ...overrides,
  };
}

function renderShared(url = `/share/${TOKEN}`) {
  return renderRoutes([{ path: "/share/:token", element: <SharedRunPage /> }], url);
}

describe("SharedRunPage", () => {
  it("shows the shared run read-only: summary, graph, timeline and replay", async () => {
    const requests = fakeApi({
      [`GET ${GRAPH}`]: json({ run: sharedRun(), nodes: recordedSteps, edges: recordedEdges }),
    });
    renderShared();
    await waitFor(() => {
      expect(screen.getAllByTestId("graph-node")).toHaveLength(9);
    });
    expect(screen.getByTestId("shared-label")).toHaveTextContent("Shared run — read-only");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("A run of Code reviewer");
    const summary = screen.getByTestId("run-summary");
    expect(within(summary).getByText("Code reviewer")).toBeInTheDocument();
    expect(summary.querySelector('[data-field="steps"]')).toHaveTextContent("9");
    expect(screen.getByTestId("run-graph")).toHaveAttribute("data-node-count", "9");
    expect(screen.getAllByTestId("timeline-bar")).toHaveLength(9);
    expect(screen.getByRole("group", { name: "Replay" })).toBeInTheDocument();
    // Read-only and outside the app: no navigation, no actions on the run.
    expect(screen.queryByRole("navigation")).not.toBeInTheDocument();
    // Not even the graph library's badge: the canvas is the app's own.
    expect(screen.queryAllByRole("link")).toEqual([]);
    expect(screen.queryByRole("button", { name: /Cancel|Share|Approve/ })).not.toBeInTheDocument();
    // Only the public endpoint is asked, never a workspace's.
    expect(requests.map((request) => request.path)).toEqual([GRAPH]);
    expect(document.title).toBe("Code reviewer: shared run · Luna");
  });

  it("opens a step in the side panel, with the step kept in the address", async () => {
    fakeApi({
      [`GET ${GRAPH}`]: json({ run: sharedRun(), nodes: recordedSteps, edges: recordedEdges }),
    });
    const { router } = renderShared();
    await waitFor(() => {
      expect(screen.getAllByTestId("graph-node")).toHaveLength(9);
    });
    const call = screen
      .getAllByTestId("graph-node")
      .find((element) => element.dataset.sequence === "3");
    fireEvent.click(call ?? document.body);
    expect(router.state.location.search).toBe("?step=3");
    expect(screen.getByRole("complementary", { name: "Step 3" })).toBeInTheDocument();
  });

  it("replays from the position in the address", async () => {
    fakeApi({
      [`GET ${GRAPH}`]: json({
        run: sharedRun({ shared_until: "2026-12-24T10:00:00Z" }),
        nodes: recordedSteps,
        edges: recordedEdges,
      }),
    });
    renderShared(`/share/${TOKEN}?at=3`);
    const controls = await screen.findByTestId("replay-controls");
    expect(controls).toHaveAttribute("data-position", "3");
    expect(screen.getByText(/The link works until/)).toBeInTheDocument();
  });

  it("says the link does not work when it is revoked, expired or unknown", async () => {
    fakeApi({
      [`GET ${GRAPH}`]: problem(404, "not-found", "This link does not exist."),
    });
    renderShared();
    expect(
      await screen.findByRole("heading", { name: "This link does not work" }),
    ).toBeInTheDocument();
    expect(screen.getByTestId("shared-label")).toBeInTheDocument();
    expect(screen.queryByTestId("run-graph")).not.toBeInTheDocument();
  });

  it("offers a retry when the server fails", async () => {
    fakeApi({
      [`GET ${GRAPH}`]: problem(503, "service-unavailable", "The database is unavailable."),
    });
    renderShared();
    expect(await screen.findByText("The database is unavailable.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
