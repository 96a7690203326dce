import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import { fakeApi, json, problem, type RecordedRequest } from "../../test/fake-api";
import { agent, me, run } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { RunsPage } from "./RunsPage";

const RUNS = "/api/v1/workspaces/ws_1/runs";
const AGENTS = "/api/v1/workspaces/ws_1/agents";
const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;

function renderRuns(url = "/w/ws_1/runs") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { path: "runs", element: <RunsPage /> },
          { path: "runs/:runId", element: <h1>Run page</h1> },
          { path: "agents", element: <h1>Agents</h1> },
        ],
      },
    ],
    url,
  );
}

function page(items = [run()], nextCursor: string | null = null) {
  return json({ items, next_cursor: nextCursor });
}

const agents = json({ items: [agent()], next_cursor: null });

function lists(requests: RecordedRequest[]) {
  return requests.filter((request) => request.method === "GET" && request.path === RUNS);
}

async function table() {
  return screen.findByRole("table", { name: "Runs of this workspace" });
}

describe("RunsPage", () => {
  it("lists the workspace's runs, newest first, with agent, status, tokens, cost and latency", async () => {
    const requests = fakeApi({
      [`GET ${RUNS}`]: page([
        run(),
        run({
          id: "run_2",
          agent_id: "agt_gone",
          status: "running",
          tokens_in: 10,
          tokens_out: 0,
          cost_usd: "0",
          latency_ms: null,
          created_at: "2026-11-19T09:00:00Z",
        }),
      ]),
      [`GET ${AGENTS}`]: agents,
    });
    renderRuns();
    const rows = within(await table()).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent(/Created.*Agent.*Status.*Tokens in \/ out.*Cost.*Latency/);
    await waitFor(() => {
      expect(rows[1]).toHaveTextContent("Code reviewer");
    });
    expect(rows[1]).toHaveTextContent("Succeeded");
    expect(rows[1]).toHaveTextContent("1,200 / 350");
    expect(rows[1]).toHaveTextContent("$0.0123");
    expect(rows[1]).toHaveTextContent("2.5 s");
    expect(rows[1]?.querySelector("time")).toHaveAttribute("dateTime", "2026-11-20T09:00:00Z");
    expect(rows[2]).toHaveTextContent("agt_gone");
    expect(rows[2]).toHaveTextContent("Running");
    expect(rows[2]).toHaveTextContent("10 / 0");
    expect(rows[2]).toHaveTextContent("$0.00");
    expect(rows[2]).toHaveTextContent("Not finished");
    expect(screen.getByRole("columnheader", { name: /Created/ })).toHaveAttribute(
      "aria-sort",
      "descending",
    );
    expect(lists(requests)[0]?.query).toEqual({ sort: "-created_at", limit: "25" });
  });

  it("links each run to its page", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${RUNS}`]: page([run({ id: "run_01jd3k0000x7k2p9qa" })]),
      [`GET ${AGENTS}`]: agents,
    });
    const { router } = renderRuns("/w/ws_1/runs?status=succeeded");
    // The run reads as what it was asked, with a line of what it answered.
    const link = within(await table()).getByRole("link", { name: "prompt: Review PR 42" });
    expect(link).toHaveAttribute("title", "run_01jd3k0000x7k2p9qa");
    expect(link.parentElement?.querySelector('[data-field="answer"]')).toHaveTextContent(
      "Looks good.",
    );
    await user.click(link);
    expect(router.state.location.pathname).toBe("/w/ws_1/runs/run_01jd3k0000x7k2p9qa");
    expect(screen.getByRole("heading", { name: "Run page" })).toBeInTheDocument();
  });

  it("filters by status, in the request and the address", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({ [`GET ${RUNS}`]: page(), [`GET ${AGENTS}`]: agents });
    const { router } = renderRuns();
    await table();
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Failed");
    expect(router.state.location.search).toBe("?status=failed");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query).toEqual({
        status: "failed",
        sort: "-created_at",
        limit: "25",
      });
    });
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "All");
    expect(router.state.location.search).toBe("");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.status).toBeUndefined();
    });
  });

  it("sorts oldest first and back when the Created header is clicked", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({ [`GET ${RUNS}`]: page(), [`GET ${AGENTS}`]: agents });
    const { router } = renderRuns();
    const runsTable = await table();
    expect(within(runsTable).queryByRole("button", { name: /Status/ })).not.toBeInTheDocument();

    await user.click(within(runsTable).getByRole("button", { name: /Created/ }));
    expect(router.state.location.search).toBe("?sort=created_at");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.sort).toBe("created_at");
    });
    expect(screen.getByRole("columnheader", { name: /Created/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );

    await user.click(screen.getByRole("button", { name: /Created/ }));
    expect(router.state.location.search).toBe("");
    await waitFor(() => {
      expect(lists(requests).at(-1)?.query.sort).toBe("-created_at");
    });
  });

  it("keeps the filter, order and page from the address", async () => {
    const requests = fakeApi({ [`GET ${RUNS}`]: page(), [`GET ${AGENTS}`]: agents });
    renderRuns("/w/ws_1/runs?status=waiting_approval&sort=created_at&cursor=c1&cursor=c2");
    await table();
    expect(lists(requests)[0]?.query).toEqual({
      status: "waiting_approval",
      sort: "created_at",
      cursor: "c2",
      limit: "25",
    });
    expect(screen.getByRole("combobox", { name: "Status" })).toHaveValue("waiting_approval");
    expect(screen.getByText("Page 3")).toBeInTheDocument();
  });

  it("turns pages with the next cursor, and back", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${RUNS}`]: (request) =>
        request.query.cursor === "c1"
          ? page([run({ id: "run_2", tokens_in: 7, tokens_out: 8 })])
          : page([run()], "c1"),
      [`GET ${AGENTS}`]: agents,
    });
    const { router } = renderRuns("/w/ws_1/runs?status=succeeded");
    await table();
    const pages = screen.getByRole("navigation", { name: "Pages of runs" });
    expect(within(pages).getByRole("button", { name: "Previous" })).toBeDisabled();

    await user.click(within(pages).getByRole("button", { name: "Next" }));
    expect(router.state.location.search).toBe("?status=succeeded&cursor=c1");
    expect(await screen.findByText("7 / 8")).toBeInTheDocument();
    expect(lists(requests).at(-1)?.query).toEqual({
      status: "succeeded",
      sort: "-created_at",
      cursor: "c1",
      limit: "25",
    });
    expect(within(pages).getByRole("button", { name: "Next" })).toBeDisabled();
    expect(within(pages).getByText("Page 2")).toBeInTheDocument();

    await user.click(within(pages).getByRole("button", { name: "Previous" }));
    expect(await screen.findByText("1,200 / 350")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?status=succeeded");

    // A new filter starts again at the first page.
    await user.click(within(pages).getByRole("button", { name: "Next" }));
    expect(await screen.findByText("7 / 8")).toBeInTheDocument();
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Failed");
    expect(router.state.location.search).toBe("?status=failed");
  });

  it("shows an empty state that links to the agents", async () => {
    const user = userEvent.setup();
    fakeApi({ [`GET ${RUNS}`]: page([]), [`GET ${AGENTS}`]: agents });
    const { router } = renderRuns();
    expect(await screen.findByRole("heading", { name: "No runs yet" })).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Go to the agents" }));
    expect(router.state.location.pathname).toBe("/w/ws_1/agents");
  });

  it("says when no run has the status filtered on", async () => {
    fakeApi({ [`GET ${RUNS}`]: page([]), [`GET ${AGENTS}`]: agents });
    renderRuns("/w/ws_1/runs?status=failed");
    expect(await screen.findByRole("heading", { name: "No runs match" })).toBeInTheDocument();
  });

  it("shows an error state with the request id and a retry", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${RUNS}`]: [
        problem(503, "service-unavailable", "The database is unavailable."),
        page(),
      ],
      [`GET ${AGENTS}`]: agents,
    });
    renderRuns();
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The database is unavailable.");
    expect(alert).toHaveTextContent("req_test");
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await table()).toHaveTextContent("1,200 / 350");
  });
});
