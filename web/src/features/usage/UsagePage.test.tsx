import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { fakeApi, json, problem, type RecordedRequest } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import type { UsageReport, UsageRow } from "./hooks";
import { UsagePage } from "./UsagePage";

const USAGE = "/api/v1/workspaces/ws_1/usage";
const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;

function row(overrides: Partial<UsageRow> & Pick<UsageRow, "key">): UsageRow {
  return {
    name: null,
    runs: 1,
    tokens_in: 100,
    tokens_out: 20,
    cost_usd: "0.00100000",
    ...overrides,
  };
}

function report(request: RecordedRequest, rows: UsageRow[]): UsageReport {
  const sum = (pick: (row: UsageRow) => number) => rows.reduce((total, r) => total + pick(r), 0);
  return {
    from: request.query.from ?? "",
    to: request.query.to ?? "",
    group_by: (request.query.group_by ?? "day") as UsageReport["group_by"],
    rows,
    totals: {
      runs: sum((r) => r.runs),
      tokens_in: sum((r) => r.tokens_in),
      tokens_out: sum((r) => r.tokens_out),
      cost_usd: sum((r) => Number(r.cost_usd)).toFixed(8),
    },
    saved: { runs: 0, tokens_in: 0, tokens_out: 0, cost_usd: "0.00000000" },
  };
}

/** A table row's cells, header cell included, as text. */
function cellsOf(row: HTMLElement | undefined): (string | null)[] {
  return Array.from(
    (row as HTMLTableRowElement | undefined)?.cells ?? [],
    (cell) => cell.textContent,
  );
}

function renderUsage(url = "/w/ws_1/usage") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "usage", element: <UsagePage /> }],
      },
    ],
    url,
  );
}

describe("UsagePage", () => {
  beforeEach(() => {
    // Only the clock is fixed: timers stay real for the user events and the queries.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-25T10:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks for the range and grouping in the address, and keeps changes there", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${USAGE}`]: (request) =>
        json(report(request, [row({ key: "agt_1", name: "Code reviewer", runs: 4 })])),
    });
    const { router } = renderUsage("/w/ws_1/usage?days=7&group_by=agent");
    expect(await screen.findByRole("table", { name: "Usage by agent" })).toBeInTheDocument();
    expect(requests[0]?.query).toEqual({ from: "2026-11-19", to: "2026-11-25", group_by: "agent" });
    expect(screen.getByLabelText("Range")).toHaveValue("7");
    expect(screen.getByLabelText("Group by")).toHaveValue("agent");
    expect(screen.getByRole("link", { name: "Export CSV" })).toHaveAttribute(
      "href",
      `${USAGE}?format=csv&from=2026-11-19&to=2026-11-25&group_by=agent`,
    );
    expect(document.title).toBe("Usage · Analytical Engine · Luna");

    await user.selectOptions(screen.getByLabelText("Range"), "Last 90 days");
    expect(router.state.location.search).toBe("?days=90&group_by=agent");
    await waitFor(() => {
      expect(requests.at(-1)?.query).toEqual({
        from: "2026-08-28",
        to: "2026-11-25",
        group_by: "agent",
      });
    });

    await user.selectOptions(screen.getByLabelText("Group by"), "Day");
    expect(router.state.location.search).toBe("?days=90");
    expect(await screen.findByRole("table", { name: "Usage per day" })).toBeInTheDocument();
    expect(requests.at(-1)?.query.group_by).toBe("day");
    expect(screen.getByRole("link", { name: "Export CSV" })).toHaveAttribute(
      "href",
      `${USAGE}?format=csv&from=2026-08-28&to=2026-11-25&group_by=day`,
    );
  });

  it("shows every day of the range, the totals, and a described chart of each figure", async () => {
    fakeApi({
      [`GET ${USAGE}`]: (request) =>
        json(
          report(request, [
            row({
              key: "2026-11-20",
              runs: 3,
              tokens_in: 1200,
              tokens_out: 350,
              cost_usd: "0.01230000",
            }),
            row({
              key: "2026-11-24",
              runs: 2,
              tokens_in: 800,
              tokens_out: 150,
              cost_usd: "0.00770000",
            }),
          ]),
        ),
    });
    renderUsage();
    const table = await screen.findByRole("table", { name: "Usage per day" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(1 + 30 + 1);
    expect(rows[1]).toHaveTextContent("Oct 27, 2026");
    expect(cellsOf(within(table).getByRole("row", { name: /Nov 20, 2026/ }))).toEqual([
      "Fri, Nov 20, 2026",
      "3",
      "1,200",
      "350",
      "$0.0123",
    ]);
    expect(cellsOf(within(table).getByRole("row", { name: /Nov 21, 2026/ }))).toEqual([
      "Sat, Nov 21, 2026",
      "0",
      "0",
      "0",
      "$0.00",
    ]);
    expect(cellsOf(rows.at(-1))).toEqual(["Total", "5", "2,000", "500", "$0.02"]);

    const totals = screen.getByRole("region", { name: "Totals" });
    expect(within(totals).getByText("Runs").nextElementSibling).toHaveTextContent("5");
    expect(within(totals).getByText("Tokens in").nextElementSibling).toHaveTextContent("2,000");
    expect(within(totals).getByText("Cost").nextElementSibling).toHaveTextContent("$0.02");

    for (const heading of ["Runs per day", "Tokens per day", "Cost per day"]) {
      expect(screen.getByRole("heading", { name: heading })).toBeInTheDocument();
    }
    expect(
      screen.getByRole("img", {
        name: /^Bar chart of runs per day\. In all 5 runs; the most: Nov 20 \(3 runs\)/,
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole("img", { name: /^Line chart of cost per day/ })).toBeInTheDocument();
    expect(screen.getByText(/Oct 27, 2026 to .*Nov 25, 2026 \(UTC\)/)).toBeInTheDocument();
  });

  it("says what the response cache saved, when it answered", async () => {
    fakeApi({
      [`GET ${USAGE}`]: (request) =>
        json({
          ...report(request, [row({ key: "2026-11-25", runs: 3 })]),
          saved: { runs: 2, tokens_in: 1200, tokens_out: 300, cost_usd: "0.04000000" },
        }),
    });
    renderUsage();
    expect(await screen.findByText(/answered from the response cache/)).toHaveTextContent(
      "2 runs answered from the response cache saved 1,500 tokens and $0.04.",
    );
  });

  it("lists models, the costliest first", async () => {
    fakeApi({
      [`GET ${USAGE}`]: (request) =>
        json(
          report(request, [
            row({ key: "gpt-4.1-mini", runs: 9, cost_usd: "0.02000000" }),
            row({ key: "claude-sonnet-4-6", runs: 2, cost_usd: "0.40000000" }),
            row({ key: "unknown", runs: 1, cost_usd: "0.00000000" }),
          ]),
        ),
    });
    renderUsage("/w/ws_1/usage?group_by=model");
    const table = await screen.findByRole("table", { name: "Usage by model" });
    const rows = within(table).getAllByRole("row");
    expect(rows.map((r) => r.querySelector("th")?.textContent)).toEqual([
      "Model",
      "claude-sonnet-4-6",
      "gpt-4.1-mini",
      "Unknown model",
      "Total",
    ]);
    expect(cellsOf(rows[1])).toEqual(["claude-sonnet-4-6", "2", "100", "20", "$0.40"]);
    expect(screen.getByRole("heading", { name: "Cost by model" })).toBeInTheDocument();
    expect(
      screen.getByRole("img", {
        name: /^Bar chart of runs by model\. In all 12 runs; the most: gpt-4\.1-mini/,
      }),
    ).toBeInTheDocument();
  });

  it("says when there is no usage, and lets a failed load be tried again", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${USAGE}`]: [
        problem(503, "service-unavailable", "The database is unavailable."),
        (request) => json(report(request, [])),
      ],
    });
    renderUsage("/w/ws_1/usage?days=7");
    expect(await screen.findByText("The database is unavailable.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(
      await screen.findByRole("heading", { name: "No runs in the last 7 days" }),
    ).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("fetches the report again every 15 seconds so that new runs show up", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-11-25T10:00:00Z"));
    let runs = 1;
    const requests = fakeApi({
      [`GET ${USAGE}`]: (request) => json(report(request, [row({ key: "2026-11-25", runs })])),
    });
    renderUsage("/w/ws_1/usage?days=7");
    const table = await screen.findByRole("table", { name: "Usage per day" });
    expect(cellsOf(within(table).getByRole("row", { name: /Total/ }))[1]).toBe("1");

    runs = 4;
    await vi.advanceTimersByTimeAsync(14_000);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await waitFor(() => {
      expect(cellsOf(within(table).getByRole("row", { name: /Total/ }))[1]).toBe("4");
    });
    expect(requests).toHaveLength(2);
  });
});
