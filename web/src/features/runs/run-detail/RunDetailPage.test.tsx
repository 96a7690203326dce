import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { fakeApi, json, problem, page } from "../../../test/fake-api";
import { agent, me } from "../../../test/fixtures";
import { FakeEventSource, stubGraphBrowser } from "../../../test/react-flow";
import { renderRoutes } from "../../../test/render";
import type { CurrentWorkspace } from "../../shell/use-current-workspace";
import { extendGraph, type Run } from "./graph-model";
import type { LayoutRequest, LayoutResponse } from "./graph-layout";
import { RunDetailPage } from "./RunDetailPage";
import { fanOutSteps, longRunSteps, recordedEdges, recordedRun, recordedSteps } from "./test-run";

const GRAPH = "/api/v1/workspaces/ws_1/runs/run_1/graph";
const AGENT = "/api/v1/workspaces/ws_1/agents/agt_1";
const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;

/** A layout worker that answers when the test says, with made-up positions. */
class FakeLayoutWorker extends EventTarget {
  static started: FakeLayoutWorker[] = [];
  readonly requests: LayoutRequest[] = [];

  constructor() {
    super();
    FakeLayoutWorker.started.push(this);
  }

  postMessage(request: LayoutRequest) {
    this.requests.push(request);
  }

  terminate() {
    return undefined;
  }

  answerLast() {
    const request = this.requests.at(-1);
    if (request) {
      const data: LayoutResponse = {
        job: request.job,
        positions: request.nodeIds.map((id, index) => [id, index * 300, 0]),
      };
      this.dispatchEvent(new MessageEvent("message", { data }));
    }
  }
}

beforeEach(() => {
  stubGraphBrowser();
});

function renderRun(url = "/w/ws_1/runs/run_1") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { path: "runs", element: <h1>Runs</h1> },
          { path: "runs/:runId", element: <RunDetailPage /> },
        ],
      },
    ],
    url,
  );
}

function graphOf(run: Run = recordedRun(), steps = recordedSteps, edges = recordedEdges) {
  return json({ run, nodes: steps, edges });
}

/** A run whose first request called `text_stats` `calls` times (the third call failed). */
function fanOutGraph(calls: number) {
  const { steps, edges } = extendGraph({ steps: [], edges: [] }, fanOutSteps(calls, [2]));
  return graphOf(recordedRun({ step_count: steps.length }), steps, edges);
}

function answers(graph = graphOf()) {
  return fakeApi({ [`GET ${GRAPH}`]: graph, [`GET ${AGENT}`]: json(agent()) });
}

async function graphNodes(count: number, timeout = 1000) {
  await waitFor(
    () => {
      expect(screen.getAllByTestId("graph-node")).toHaveLength(count);
    },
    { timeout },
  );
  return screen.getAllByTestId("graph-node");
}

function node(sequence: number): HTMLElement {
  const found = screen
    .getAllByTestId("graph-node")
    .find((element) => element.dataset.sequence === String(sequence));
  if (!found) {
    throw new Error(`no node for step ${sequence}`);
  }
  return found;
}

function field(container: HTMLElement, name: string): HTMLElement | null {
  return container.querySelector(`[data-field="${name}"]`);
}

describe("RunDetailPage", () => {
  it("draws a node per step with the API's figures, and the run's totals", async () => {
    answers();
    renderRun();
    const nodes = await graphNodes(9);
    expect(nodes.map((element) => element.dataset.stepId)).toEqual(
      recordedSteps.map((step) => step.id),
    );
    const request = node(1);
    expect(request).toHaveAttribute("data-kind", "model_request");
    expect(field(request, "tokens-in")).toHaveTextContent("120");
    expect(field(request, "tokens-in")).toHaveAttribute("data-value", "120");
    expect(field(request, "tokens-out")).toHaveTextContent("40");
    expect(field(request, "cost")).toHaveTextContent("$0.0012");
    expect(field(request, "cost")).toHaveAttribute("data-value", "0.00120000");
    expect(field(request, "latency")).toHaveTextContent("1 s");
    expect(field(request, "confidence")).toHaveTextContent("92%");
    expect(within(request).getByRole("meter", { name: "Confidence" })).toHaveAttribute(
      "aria-valuenow",
      "92",
    );
    // No confidence from the provider: no bar.
    expect(field(node(7), "confidence")).toBeNull();
    expect(field(node(6), "latency")).toHaveTextContent("600 ms");
    expect(node(6)).toHaveAttribute("data-status", "error");

    const summary = screen.getByTestId("run-summary");
    expect(field(summary, "steps")).toHaveTextContent("9");
    expect(field(summary, "tokens-in")).toHaveTextContent("420");
    expect(field(summary, "tokens-out")).toHaveTextContent("120");
    expect(field(summary, "cost")).toHaveTextContent("$0.0043");
    expect(field(summary, "latency")).toHaveTextContent("2.4 s");
    expect(field(summary, "confidence")).toHaveTextContent("92%");
    expect(within(summary).getByText("Succeeded")).toBeInTheDocument();
    await waitFor(() => {
      expect(field(summary, "agent")).toHaveTextContent("Code reviewer");
    });
    // The story reads without opening a node: the agent names the page, then the input,
    // the answer and the time the run took.
    await waitFor(() => {
      expect(document.title).toBe("Code reviewer · Run 1 · Luna");
    });
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Code reviewer");
    expect(field(summary, "input")).toHaveTextContent("Review PR 42");
    expect(field(summary, "answer")).toHaveTextContent("Looks good.");
    expect(field(summary, "elapsed")).toHaveTextContent("2.4 s");
    expect(field(summary, "elapsed")).toHaveAttribute("data-value", "2400");
    expect(screen.getAllByTestId("timeline-bar")).toHaveLength(9);
    // A finished run is not followed live.
    expect(FakeEventSource.opened).toHaveLength(0);
  });

  it("opens a step's content in the side panel when its node is clicked", async () => {
    const user = userEvent.setup();
    answers();
    const { router } = renderRun();
    await graphNodes(9);
    expect(screen.queryByTestId("step-panel")).not.toBeInTheDocument();

    // A click only: jsdom's pointer events lack the window d3-zoom (React Flow's panning) reads.
    fireEvent.click(node(3));
    expect(router.state.location.search).toBe("?step=3");
    const panel = screen.getByRole("complementary", { name: "Step 3" });
    expect(panel).toHaveAttribute("data-step-id", "stp_3");
    expect(within(panel).getByRole("heading", { name: "Tool call: search" })).toBeInTheDocument();
    const args = within(panel).getByRole("region", { name: "Arguments" });
    expect(JSON.parse(args.querySelector("pre")?.textContent ?? "")).toEqual({
      query: "pull 42",
      limit: 5,
    });
    expect(panel).toHaveTextContent("call_a");
    expect(node(3)).toHaveAttribute("aria-pressed", "true");

    // Enter on a focused node opens it too.
    node(1).focus();
    await user.keyboard("{Enter}");
    expect(router.state.location.search).toBe("?step=1");
    const request = screen.getByTestId("step-panel");
    expect(within(request).getByRole("region", { name: "Request" })).toHaveTextContent(
      "Review PR 42",
    );
    expect(field(request, "tokens-in")).toHaveTextContent("120");
    expect(request).toHaveTextContent("tool_call");

    await user.click(within(request).getByRole("button", { name: "Close the step" }));
    expect(router.state.location.search).toBe("");
    expect(screen.queryByTestId("step-panel")).not.toBeInTheDocument();
  });

  it("shows the step named in the address, errors and texts as they were recorded", async () => {
    answers();
    renderRun("/w/ws_1/runs/run_1?step=6");
    const panel = await screen.findByTestId("step-panel");
    expect(within(panel).getByRole("region", { name: "Error" })).toHaveTextContent(
      "Connection refused",
    );
    expect(within(panel).getByText("Error", { selector: "span" })).toBeInTheDocument();
  });

  it("selects a step from the timeline, with the mouse or the arrow keys", async () => {
    const user = userEvent.setup();
    answers();
    const { router } = renderRun();
    await graphNodes(9);
    const bars = screen.getAllByTestId("timeline-bar");
    expect(bars.map((bar) => bar.dataset.stepId)).toEqual(
      expect.arrayContaining(recordedSteps.map((step) => step.id)),
    );
    const [fetchResult] = bars.filter((bar) => bar.dataset.sequence === "6");
    await user.click(fetchResult ?? document.body);
    expect(router.state.location.search).toBe("?step=6");

    screen.getByTestId("run-timeline").focus();
    await user.keyboard("{ArrowRight}");
    expect(router.state.location.search).toBe("?step=7");
    await user.keyboard("{Home}");
    expect(router.state.location.search).toBe("?step=1");
  });

  it("replays the run to a position: step, scrub and speed are kept in the address", async () => {
    const user = userEvent.setup();
    answers();
    const { router } = renderRun("/w/ws_1/runs/run_1?at=4&speed=4");
    await graphNodes(4);
    const controls = screen.getByRole("group", { name: "Replay" });
    expect(within(controls).getByRole("combobox", { name: "Speed" })).toHaveValue("4");
    expect(within(controls).getByRole("slider", { name: "Replay position" })).toHaveValue("4");

    await user.click(within(controls).getByRole("button", { name: "Step forward" }));
    expect(router.state.location.search).toBe("?at=5&speed=4");
    await graphNodes(5);

    await user.click(within(controls).getByRole("button", { name: "Step back" }));
    await user.click(within(controls).getByRole("button", { name: "Step back" }));
    expect(router.state.location.search).toBe("?at=3&speed=4");
    await graphNodes(3);

    fireEvent.change(within(controls).getByRole("slider", { name: "Replay position" }), {
      target: { value: "8" },
    });
    expect(router.state.location.search).toBe("?at=8&speed=4");
    await graphNodes(8);

    await user.selectOptions(within(controls).getByRole("combobox", { name: "Speed" }), "16×");
    expect(router.state.location.search).toBe("?at=8&speed=16");
  });

  it("plays a replay at the chosen speed, and pauses", async () => {
    answers();
    const { router } = renderRun("/w/ws_1/runs/run_1?speed=4");
    await graphNodes(9);
    const controls = screen.getByRole("group", { name: "Replay" });
    vi.useFakeTimers();
    try {
      // At the end, Play starts again from nothing.
      fireEvent.click(within(controls).getByRole("button", { name: "Play" }));
      expect(router.state.location.search).toBe("?speed=4&at=0");
      expect(screen.queryAllByTestId("graph-node")).toHaveLength(0);

      // The first request and its parts were complete after 1 s: 250 ms at 4×.
      await act(() => vi.advanceTimersByTimeAsync(240));
      expect(router.state.location.search).toBe("?speed=4&at=0");
      await act(() => vi.advanceTimersByTimeAsync(20));
      expect(router.state.location.search).toBe("?speed=4&at=4");
      expect(screen.getAllByTestId("graph-node")).toHaveLength(4);

      // The next result came 400 ms later: 100 ms at 4×.
      await act(() => vi.advanceTimersByTimeAsync(110));
      expect(router.state.location.search).toBe("?speed=4&at=5");

      fireEvent.click(within(controls).getByRole("button", { name: "Pause" }));
      await act(() => vi.advanceTimersByTimeAsync(2000));
      expect(router.state.location.search).toBe("?speed=4&at=5");
      expect(within(controls).getByRole("button", { name: "Play" })).toBeInTheDocument();

      // Playing on reaches the end and stops there.
      fireEvent.click(within(controls).getByRole("button", { name: "Play" }));
      await act(() => vi.advanceTimersByTimeAsync(50));
      expect(router.state.location.search).toBe("?speed=4&at=6");
      await act(() => vi.advanceTimersByTimeAsync(200));
      expect(router.state.location.search).toBe("?speed=4&at=9");
      expect(screen.getAllByTestId("graph-node")).toHaveLength(9);
      expect(within(controls).getByRole("button", { name: "Play" })).toBeInTheDocument();
    } finally {
      vi.useRealTimers();
    }
  });

  it("follows a running run live, then shows it as it ended", async () => {
    const running = recordedRun({
      status: "running",
      output: null,
      step_count: 4,
      tokens_in: 120,
      tokens_out: 40,
      cost_usd: "0.00120000",
      latency_ms: null,
      finished_at: null,
    });
    const snapshot = recordedSteps.slice(0, 4);
    const requests = fakeApi({
      [`GET ${GRAPH}`]: [graphOf(running, snapshot, recordedEdges.slice(0, 3)), graphOf()],
      [`GET ${AGENT}`]: json(agent()),
    });
    renderRun();
    await graphNodes(4);
    expect(screen.queryByRole("group", { name: "Replay" })).not.toBeInTheDocument();
    // The request called two tools that have not returned: a pending node says so.
    expect(screen.getByTestId("pending-node")).toHaveAttribute("data-kind", "tools");
    expect(screen.getByTestId("pending-node")).toHaveTextContent("Running 2 tools");
    const [source] = FakeEventSource.opened;
    expect(source?.url).toBe("/api/v1/workspaces/ws_1/runs/run_1/events");

    act(() => {
      source?.emit("open", {});
      // The stream starts with the stored steps, then sends new ones.
      for (const step of recordedSteps.slice(0, 7)) {
        source?.emit("step", step, step.sequence);
      }
    });
    await graphNodes(7);
    expect(screen.getByText("Live")).toBeInTheDocument();
    // The tools returned and the next model request is under way, until its first token.
    const pending = screen.getByTestId("pending-node");
    expect(pending).toHaveAttribute("data-kind", "model");
    expect(pending).toHaveTextContent("Waiting for the first token");
    act(() => {
      source?.emit("delta", { request: 2, part: 0, kind: "text", text: "Looks " });
      source?.emit("delta", { request: 2, part: 0, kind: "text", text: "good" });
    });
    expect(screen.getByTestId("pending-node")).toHaveTextContent("Model answering");
    expect(screen.getByTestId("pending-node")).toHaveTextContent("Looks good");
    const summary = screen.getByTestId("run-summary");
    expect(field(summary, "answer")).toHaveTextContent(
      "The answer shows here when the run finishes",
    );
    expect(field(summary, "steps")).toHaveTextContent("7");
    expect(field(summary, "tokens-in")).toHaveTextContent("420");

    act(() => {
      for (const step of recordedSteps.slice(7)) {
        source?.emit("step", step, step.sequence);
      }
      source?.emit("end", recordedRun());
    });
    await graphNodes(9);
    expect(source?.readyState).toBe(FakeEventSource.CLOSED);
    await waitFor(() => {
      expect(screen.queryByTestId("pending-node")).not.toBeInTheDocument();
    });
    await waitFor(() => {
      expect(within(summary).getByText("Succeeded")).toBeInTheDocument();
    });
    expect(field(summary, "latency")).toHaveTextContent("2.4 s");
    expect(field(summary, "answer")).toHaveTextContent("Looks good.");
    await waitFor(() => {
      expect(requests.filter((request) => request.path === GRAPH)).toHaveLength(2);
    });
    expect(await screen.findByRole("group", { name: "Replay" })).toBeInTheDocument();
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  // Slow in jsdom (it renders every node once, unmeasured), quick in a browser.
  it("lays out a long run in the background and draws only the timeline in view", async () => {
    vi.stubGlobal("Worker", FakeLayoutWorker);
    FakeLayoutWorker.started = [];
    const steps = longRunSteps(40);
    const graph = extendGraph({ steps: [], edges: [] }, steps);
    answers(
      graphOf(
        recordedRun({ step_count: steps.length, latency_ms: 75_000 }),
        graph.steps,
        graph.edges,
      ),
    );
    renderRun();
    // Until the worker answers, the steps show at provisional positions.
    await graphNodes(160, 15_000);
    // (Role queries are slow on a page this large: text and labels are used instead.)
    expect(screen.getByText("Arranging 160 steps…")).toBeInTheDocument();
    const [worker] = FakeLayoutWorker.started;
    expect(worker?.requests).toHaveLength(1);
    expect(worker?.requests[0]?.nodeIds).toHaveLength(160);
    expect(worker?.requests[0]?.edges).toHaveLength(graph.edges.length);

    act(() => {
      worker?.answerLast();
    });
    await waitFor(
      () => {
        expect(screen.queryByText("Arranging 160 steps…")).not.toBeInTheDocument();
      },
      { timeout: 15_000 },
    );

    expect(screen.getAllByTestId("timeline-bar")).toHaveLength(160);
    const zoomIn = document.querySelector('[aria-label="Zoom into the timeline"]');
    for (let zoom = 0; zoom < 4; zoom += 1) {
      fireEvent.click(zoomIn ?? document.body);
    }
    const drawn = screen.getAllByTestId("timeline-bar").length;
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(40);
  }, 60_000);

  it("draws many calls of one tool as one group, which expands and collapses", async () => {
    const user = userEvent.setup();
    answers(fanOutGraph(10));
    renderRun();
    // The request, the group, the search call and result, the second request, the answer.
    await graphNodes(5);
    expect(screen.getByTestId("run-graph")).toHaveAttribute("data-node-count", "25");
    const group = screen.getByTestId("graph-group");
    expect(group).toHaveAttribute("data-count", "10");
    expect(group).toHaveAccessibleName(
      "Tool calls #2–22 text_stats ×10 Expand Time 10 ms–100 ms In 0 Out 0 9 ok 1 failed",
    );
    expect(group).toHaveAttribute("aria-expanded", "false");
    expect(field(group, "ok")).toHaveTextContent("9 ok");
    expect(field(group, "errors")).toHaveTextContent("1 failed");
    expect(field(group, "latency-range")).toHaveTextContent("10 ms–100 ms");

    group.focus();
    await user.keyboard("{Enter}");
    await graphNodes(25);
    expect(screen.queryByTestId("graph-group")).not.toBeInTheDocument();
    const toggle = screen.getByRole("button", { name: "Collapse text_stats ×10" });
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(toggle).toHaveFocus();

    await user.keyboard("{Enter}");
    await graphNodes(5);
    expect(screen.getByRole("button", { name: "Expand text_stats ×10" })).toHaveFocus();
    fireEvent.click(screen.getByTestId("graph-group"));
    await graphNodes(25);
  });

  it("expands the group of a step selected in the address, the timeline or a replay", async () => {
    answers(fanOutGraph(10));
    const { router } = renderRun("/w/ws_1/runs/run_1?step=5");
    await graphNodes(25);
    expect(node(5)).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("step-panel")).toHaveAttribute("data-step-id", "stp_5");

    await userEvent.click(screen.getByRole("button", { name: "Collapse text_stats ×10" }));
    await graphNodes(5);
    // Still selected: the group shows that it holds the step.
    expect(router.state.location.search).toBe("?step=5");
    const result = screen
      .getAllByTestId("timeline-bar")
      .find((bar) => bar.dataset.sequence === "14");
    fireEvent.click(result ?? document.body);
    expect(router.state.location.search).toBe("?step=14");
    await graphNodes(25);

    await userEvent.click(screen.getByRole("button", { name: "Collapse text_stats ×10" }));
    await graphNodes(5);
    await userEvent.click(screen.getByRole("button", { name: "Step back" }));
    // The replay is at the last step (the answer): stepping back stays out of the group.
    expect(router.state.location.search).toBe("?step=14&at=24");
    await graphNodes(4);
    fireEvent.change(screen.getByRole("slider", { name: "Replay position" }), {
      target: { value: "3" },
    });
    await graphNodes(3);
    expect(node(3)).toBeInTheDocument();
  });

  it("draws only the timeline's lanes in view when hundreds of calls ran at once", async () => {
    const user = userEvent.setup();
    answers(fanOutGraph(250));
    const { router } = renderRun();
    await graphNodes(5);
    expect(screen.getByTestId("run-graph")).toHaveAttribute("data-node-count", "505");
    expect(screen.getByTestId("graph-group")).toHaveAttribute("data-count", "250");
    const lanesOf = () =>
      screen.getAllByTestId("timeline-bar").map((bar) => Number(bar.dataset.lane));
    const top = lanesOf();
    expect(top.length).toBeGreaterThan(5);
    expect(top.length).toBeLessThan(50);
    expect(Math.max(...top)).toBeLessThan(20);

    const strip = screen.getByTestId("run-timeline");
    strip.scrollTop = 18 * 150;
    fireEvent.scroll(strip);
    const further = lanesOf();
    expect(further.length).toBeLessThan(50);
    expect(Math.min(...further)).toBeGreaterThan(140);

    // The last step is in the first lane, at the end: the strip scrolls back up to it.
    strip.focus();
    await user.keyboard("{End}");
    expect(router.state.location.search).toBe("?step=505");
    expect(strip.scrollTop).toBe(0);
    fireEvent.scroll(strip);
    expect(
      screen.getAllByTestId("timeline-bar").find((bar) => bar.dataset.sequence === "505"),
    ).toHaveAttribute("aria-pressed", "true");
  });

  it("says when the server refused the live stream", async () => {
    answers(graphOf(recordedRun({ status: "running", latency_ms: null })));
    renderRun();
    await graphNodes(9);
    const [source] = FakeEventSource.opened;
    act(() => {
      source?.close();
      source?.dispatchEvent(new Event("error"));
    });
    expect(await screen.findByText(/Live updates stopped/)).toBeInTheDocument();
  });

  it("lists the calls a paused run waits on, and sends a decision", async () => {
    const user = userEvent.setup();
    const waiting = recordedRun({ status: "waiting_approval", latency_ms: null });
    const requests = fakeApi({
      [`GET ${GRAPH}`]: [
        graphOf(waiting, recordedSteps.slice(0, 4), recordedEdges.slice(0, 3)),
        graphOf(recordedRun({ status: "queued" }), recordedSteps.slice(0, 4), []),
      ],
      [`GET ${AGENT}`]: json(agent()),
      [`GET /api/v1/workspaces/ws_1/runs/run_1/approvals`]: page([
        {
          id: "apr_1",
          tool_call_id: "call_b",
          tool_name: "deploy",
          arguments: { target: "production" },
          status: "pending",
          reason: null,
          created_at: "2026-11-20T09:00:01Z",
          decided_at: null,
        },
      ]),
      [`POST /api/v1/workspaces/ws_1/runs/run_1/approvals`]: json(
        recordedRun({ status: "queued" }),
      ),
    });
    renderRun();
    const panel = await screen.findByRole("region", { name: "Waiting for approval" });
    const call = await within(panel).findByTestId("approval");
    expect(call).toHaveTextContent("deploy");
    expect(call).toHaveTextContent('"target": "production"');
    await user.type(within(call).getByLabelText(/Reason/), "Not on a Friday.");
    await user.click(within(call).getByRole("button", { name: "Reject" }));
    await waitFor(() => {
      expect(requests.find((request) => request.method === "POST")?.body).toEqual({
        decisions: [{ tool_call_id: "call_b", approved: false, reason: "Not on a Friday." }],
      });
    });
    // The run resumes: its stream is followed again.
    await waitFor(() => {
      expect(FakeEventSource.opened).toHaveLength(1);
    });
  });

  it("cancels a running run once confirmed", async () => {
    const user = userEvent.setup();
    const running = recordedRun({ status: "running", latency_ms: null });
    const requests = fakeApi({
      [`GET ${GRAPH}`]: [graphOf(running), graphOf(recordedRun({ status: "cancelled" }))],
      [`GET ${AGENT}`]: json(agent()),
      [`POST /api/v1/workspaces/ws_1/runs/run_1/cancel`]: json(
        recordedRun({ status: "cancelled" }),
      ),
    });
    renderRun();
    await graphNodes(9);
    await user.click(screen.getByRole("button", { name: "Cancel run" }));
    const dialog = screen.getByRole("alertdialog", { name: "Cancel this run?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel run" }));
    await waitFor(() => {
      expect(within(screen.getByTestId("run-summary")).getByText("Cancelled")).toBeInTheDocument();
    });
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Cancel run" })).not.toBeInTheDocument();
  });

  it("says when the graph holds only part of a very long run", async () => {
    answers(graphOf(recordedRun({ step_count: 6000 })));
    renderRun();
    await graphNodes(9);
    expect(screen.getByText(/shows the first 9 of the run.s 6,000 steps/)).toBeInTheDocument();
  });

  it("says when the run has no steps yet", async () => {
    answers(graphOf(recordedRun({ status: "queued", step_count: 0 }), [], []));
    renderRun();
    expect(await screen.findByText("The run's steps show here as they happen.")).toBeVisible();
  });

  it("offers no replay for a finished run without steps", async () => {
    answers(graphOf(recordedRun({ status: "cancelled", step_count: 0 }), [], []));
    renderRun();
    expect(await screen.findByText("Cancelled")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Play" })).not.toBeInTheDocument();
  });

  it("says that an unknown run does not exist, with the way back and no retry", async () => {
    fakeApi({
      [`GET ${GRAPH}`]: problem(404, "not-found", "No such run in this workspace."),
      [`GET ${AGENT}`]: json(agent()),
    });
    renderRun();
    expect(
      await screen.findByRole("heading", { level: 1, name: "Run not found" }),
    ).toBeInTheDocument();
    expect(screen.getByText("There is no such run in this workspace")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "See the workspace's runs" })).toHaveAttribute(
      "href",
      "/w/ws_1/runs",
    );
    expect(screen.queryByRole("button", { name: "Try again" })).not.toBeInTheDocument();
  });

  it("shows an error state with the request id and a retry", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${GRAPH}`]: [problem(503, "unavailable", "The database is not answering."), graphOf()],
      [`GET ${AGENT}`]: json(agent()),
    });
    renderRun();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The database is not answering.");
    expect(alert).toHaveTextContent("req_test");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await graphNodes(9);
  });
});
