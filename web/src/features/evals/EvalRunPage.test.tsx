import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, problem } from "../../test/fake-api";
import { evalResult, evalRun, evalSuite, evalTarget, me } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { EvalRunPage } from "./EvalRunPage";

const AGENT = "/api/v1/workspaces/ws_1/agents/agt_1";
const EVAL_RUN = `${AGENT}/eval-runs/evr_1`;
const SUITE = `${AGENT}/eval-suites/evs_1`;

const team = me.teams[0];

function renderRun(answers: Parameters<typeof fakeApi>[0], { role = "owner" } = {}) {
  const workspace = team?.workspaces[0];
  if (!team || !workspace) {
    throw new Error("The fixture has a workspace.");
  }
  const current: CurrentWorkspace = { team: { ...team, role }, workspace };
  const requests = fakeApi({ [`GET ${SUITE}`]: json(evalSuite()), ...answers });
  const view = renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [{ path: "agents/:agentId/evals/runs/:evalRunId", element: <EvalRunPage /> }],
      },
    ],
    "/w/ws_1/agents/agt_1/evals/runs/evr_1",
  );
  return { ...view, requests };
}

const FAILED_CHECK: Schemas["CheckOut"] = {
  name: "expected_output",
  kind: "assertion",
  value: false,
  reason: "The answer is not “4”.",
};

describe("EvalRunPage", () => {
  it("shows each target's progress while it runs, and cancels it", async () => {
    const user = userEvent.setup();
    const running = evalRun({
      status: "running",
      finished_at: null,
      targets: [evalTarget({ cases_done: 2, cases_passed: 2, pass_rate: 1 })],
      results: [evalResult(), evalResult({ case_id: "evc_2", case_name: "b", position: 1 })],
    });
    const cancelled = { ...running, status: "cancelled" as const };
    const { requests } = renderRun({
      [`GET ${EVAL_RUN}`]: [json(running), json(cancelled)],
      [`POST ${EVAL_RUN}/cancel`]: json({ ...cancelled, results: undefined }),
    });

    expect(await screen.findByRole("heading", { name: "Sums", level: 1 })).toBeVisible();
    expect(screen.getByRole("heading", { name: "Running" })).toBeVisible();
    const progress = screen.getByRole("progressbar", { name: "v3" });
    expect(progress).toHaveAttribute("value", "2");
    expect(progress).toHaveAttribute("max", "4");
    expect(screen.getByText("2 of 4 cases")).toBeVisible();

    await user.click(screen.getByRole("button", { name: "Cancel" }));

    expect(await screen.findByText(/Cancelled: the figures cover the cases done/)).toBeVisible();
    expect(screen.queryByRole("button", { name: "Cancel" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Running" })).toBeNull();
    expect(
      requests.filter((request) => request.method === "POST").map((request) => request.path),
    ).toEqual([`${EVAL_RUN}/cancel`]);
    // The results shown before stay.
    expect(screen.getByRole("table", { name: "Results of each case" })).toHaveTextContent("b");
  });

  it("shows the figures and every case's result, with why a case failed and its run", async () => {
    renderRun({
      [`GET ${EVAL_RUN}`]: json(
        evalRun({
          results: [
            evalResult(),
            evalResult({
              case_id: "evc_2",
              case_name: "capital",
              position: 1,
              status: "failed",
              score: 0.25,
              output: "Lyon\nis the capital",
              checks: [FAILED_CHECK],
              run_id: "run_9",
              cost_usd: "0.0100",
              latency_ms: 2300,
            }),
            evalResult({
              case_id: "evc_3",
              case_name: "slow",
              position: 2,
              status: "errored",
              score: null,
              output: null,
              error: "The provider did not answer in time.",
              run_id: null,
              latency_ms: null,
            }),
          ],
        }),
      ),
    });

    const figures = await screen.findByRole("table", { name: "Figures of each target" });
    const figureRows = within(figures)
      .getAllByRole("row")
      .map((row) => row.textContent);
    expect(figureRows).toEqual([
      "Figurev3",
      "Pass rate75%",
      "Passed3 of 4",
      "Mean score0.80",
      "Tokens in / out1,200 / 350",
      "Cost$0.0123",
      "Mean latency1.2 s",
      "Mean confidence90%",
    ]);
    expect(screen.queryByRole("button", { name: "Cancel" })).toBeNull();

    const results = screen.getByRole("table", { name: "Results of each case" });
    const rows = within(results).getAllByRole("row");
    expect(rows).toHaveLength(4);
    expect(rows[1]).toHaveTextContent("sums");
    expect(rows[1]).toHaveTextContent("Passed");
    expect(rows[2]).toHaveTextContent("Failed");
    expect(rows[2]).toHaveTextContent("0.25");
    expect(rows[2]).toHaveTextContent("Lyon");
    expect(rows[2]).toHaveTextContent("expected_output: The answer is not “4”.");
    expect(within(results).getByRole("link", { name: "Run of capital on v3" })).toHaveAttribute(
      "href",
      "/w/ws_1/runs/run_9",
    );
    const errored = within(results).getByRole("row", { name: /slow/ });
    expect(errored).toHaveTextContent("Errored");
    expect(errored).toHaveTextContent("The provider did not answer in time.");
    expect(within(errored).queryByRole("link")).toBeNull();
  });

  it("compares two targets case by case: counts, a filter, and each case's diffs and checks", async () => {
    const user = userEvent.setup();
    const targets = [
      evalTarget({ label: "production (v2)", version: 2, pass_rate: 0.5, mean_score: 0.5 }),
      evalTarget({ position: 1, label: "v3", pass_rate: 0.75, mean_score: 0.8 }),
    ];
    const side = (target: number, status: Schemas["EvalResultOut"]["status"], extra = {}) =>
      evalResult({ target, status, run_id: `run_${target}`, ...extra });
    const comparison: Schemas["EvalComparison"] = {
      eval_run_id: "evr_1",
      targets,
      differing: 2,
      improved: 1,
      regressed: 1,
      cases: [
        {
          case_id: "evc_1",
          case_name: "sums",
          position: 0,
          input: "What is 2 + 2?",
          differs: true,
          verdict_changed: true,
          sides: [
            side(0, "passed", { checks: [{ ...FAILED_CHECK, value: true, reason: null }] }),
            side(1, "failed", { output: "5", checks: [FAILED_CHECK] }),
          ],
          output_diff: "--- production (v2)\n+++ v3\n@@ -1 +1 @@\n-4\n+5",
          step_diff: ["  llm_call model", "- tool_call calculator", "+ tool_call search"],
        },
        {
          case_id: "evc_2",
          case_name: "capital",
          position: 1,
          input: "Capital of France?",
          differs: true,
          verdict_changed: true,
          sides: [side(0, "failed"), side(1, "passed")],
          output_diff: "",
          step_diff: [],
        },
        {
          case_id: "evc_3",
          case_name: "greeting",
          position: 2,
          input: "Say hello",
          differs: false,
          verdict_changed: false,
          sides: [side(0, "passed"), side(1, "passed")],
          output_diff: "",
          step_diff: [],
        },
      ],
    };
    renderRun({
      [`GET ${EVAL_RUN}`]: json(
        evalRun({
          targets,
          results: comparison.cases.flatMap((item) =>
            item.sides.map((result) => ({
              ...result,
              case_id: item.case_id,
              case_name: item.case_name,
              position: item.position,
            })),
          ),
        }),
      ),
      [`GET ${EVAL_RUN}/comparison`]: json(comparison),
    });

    const figures = await screen.findByRole("table", { name: "Figures of each target" });
    const passRate = within(figures)
      .getAllByRole("row")
      .find((row) => row.textContent.startsWith("Pass rate"));
    expect(passRate).toHaveTextContent("50%75%+25 pts");

    expect(await screen.findByTestId("comparison-summary")).toHaveTextContent(
      "1 regressed, 1 improved, 2 differing of 3 cases.",
    );
    const list = screen.getByRole("list", { name: "Cases compared" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(3);

    const filter = screen.getByRole("group", { name: "Show cases" });
    await user.click(within(filter).getByRole("button", { name: "Regressed 1" }));
    expect(within(filter).getByRole("button", { name: "Regressed 1" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    const regressed = within(list).getByRole("button", { name: /sums/ });
    expect(regressed).toHaveTextContent("production (v2)Passed→v3FailedRegressed");
    expect(regressed).toHaveAttribute("aria-expanded", "false");

    await user.click(regressed);
    expect(regressed).toHaveAttribute("aria-expanded", "true");
    const answers = screen.getByRole("region", { name: "Answers" });
    const lines = answers.querySelectorAll("[data-diff]");
    expect([...lines].map((line) => [line.getAttribute("data-diff"), line.textContent])).toEqual([
      ["header", "--- production (v2)"],
      ["header", "+++ v3"],
      ["hunk", "@@ -1 +1 @@"],
      ["removed", "-4"],
      ["added", "+5"],
    ]);
    const steps = screen.getByRole("region", { name: "Steps" });
    expect(
      [...steps.querySelectorAll("[data-diff]")].map((line) => line.getAttribute("data-diff")),
    ).toEqual(["same", "removed", "added"]);
    const checks = screen.getByRole("table", { name: "Checks of sums" });
    const check = within(checks).getByRole("row", { name: /expected_output/ });
    expect(check).toHaveTextContent("Pass");
    expect(check).toHaveTextContent("FailThe answer is not “4”.");
    expect(within(list).getByRole("link", { name: "Run of sums on v3" })).toHaveAttribute(
      "href",
      "/w/ws_1/runs/run_1",
    );

    await user.click(within(filter).getByRole("button", { name: "Improved 1" }));
    expect(within(list).getByRole("button", { name: /capital/ })).toHaveTextContent("Improved");
    await user.click(within(filter).getByRole("button", { name: "Differing 2" }));
    expect(within(list).getAllByRole("listitem")).toHaveLength(2);

    const results = screen.getByRole("table", { name: "Results of each case" });
    expect(within(results).getByRole("columnheader", { name: "production (v2)" })).toBeVisible();
    expect(within(results).getByRole("columnheader", { name: "v3" })).toBeVisible();
  });

  it("says why a failed eval run stopped", async () => {
    renderRun({
      [`GET ${EVAL_RUN}`]: json(
        evalRun({
          status: "failed",
          error: { code: "provider-auth", message: "The provider refused its key." },
        }),
      ),
    });
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The eval run failed");
    expect(alert).toHaveTextContent("The provider refused its key.");
  });

  it("says when the eval run does not exist", async () => {
    renderRun({
      [`GET ${EVAL_RUN}`]: problem(404, "not-found", "No eval run evr_1 in this workspace."),
    });
    expect(
      await screen.findByRole("heading", { name: "This eval run does not exist" }),
    ).toBeVisible();
    await waitFor(() => {
      expect(screen.getByRole("link", { name: "All evaluations" })).toHaveAttribute(
        "href",
        "/w/ws_1/agents/agt_1/evals",
      );
    });
  });
});
