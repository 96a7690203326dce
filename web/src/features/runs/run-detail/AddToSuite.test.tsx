import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { beforeEach, describe, expect, it } from "vitest";

import { fakeApi, json, page, problem } from "../../../test/fake-api";
import { agent, evalCase, evalSuite, me, suiteSummary } from "../../../test/fixtures";
import { stubGraphBrowser } from "../../../test/react-flow";
import { renderRoutes } from "../../../test/render";
import type { CurrentWorkspace } from "../../shell/use-current-workspace";
import type { Run, Step } from "./graph-model";
import { RunDetailPage } from "./RunDetailPage";
import { recordedEdges, recordedRun, recordedSteps } from "./test-run";

const GRAPH = "/api/v1/workspaces/ws_1/runs/run_1/graph";
const AGENT = "/api/v1/workspaces/ws_1/agents/agt_1";
const SUITES = `${AGENT}/eval-suites`;
const SUMS = suiteSummary(evalSuite({ case_count: 4 }));
const TONE = suiteSummary(evalSuite({ id: "evs_2", name: "Tone", case_count: 1 }));
const FROM_RUN = `${SUITES}/evs_2/from-run`;

beforeEach(() => {
  stubGraphBrowser();
});

interface Options {
  role?: string;
  run?: Run;
  steps?: Step[];
  answers?: Parameters<typeof fakeApi>[0];
}

function renderRun({ role = "owner", run = recordedRun(), steps, answers = {} }: Options = {}) {
  const team = me.teams[0];
  const workspace = team?.workspaces[0];
  if (!team || !workspace) {
    throw new Error("The fixture has a workspace.");
  }
  const current: CurrentWorkspace = { team: { ...team, role }, workspace };
  const requests = fakeApi({
    [`GET ${GRAPH}`]: json({
      run,
      nodes: steps ?? recordedSteps,
      edges: steps ? [] : recordedEdges,
    }),
    [`GET ${AGENT}`]: json(agent()),
    ...answers,
  });
  const view = renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { path: "runs/:runId", element: <RunDetailPage /> },
          { path: "agents/:agentId/evals", element: <h1>Evaluations</h1> },
        ],
      },
    ],
    "/w/ws_1/runs/run_1",
  );
  return { ...view, requests };
}

/** Waits for the run's header actions, which come with the run. */
async function headerShown() {
  await screen.findByRole("button", { name: "Share" });
}

async function openDialog(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole("button", { name: "Add to eval suite" }));
  return screen.getByRole("dialog", { name: "Add to eval suite" });
}

describe("Add to eval suite", () => {
  it("is offered to a member who can write, for a succeeded run", async () => {
    renderRun();
    expect(await screen.findByRole("button", { name: "Add to eval suite" })).toBeInTheDocument();
  });

  it.each([
    ["a failed run", { run: recordedRun({ status: "failed", output: null }) }],
    ["a viewer", { role: "viewer" }],
  ])("is not offered for %s", async (_, options) => {
    renderRun(options);
    await headerShown();
    expect(screen.queryByRole("button", { name: "Add to eval suite" })).not.toBeInTheDocument();
  });

  it("adds the run to the chosen suite, then links to it", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderRun({
      answers: {
        [`GET ${SUITES}`]: page([SUMS, TONE]),
        [`POST ${FROM_RUN}`]: json(
          evalCase({ id: "evc_9", name: "review", source_run_id: "run_1" }),
          201,
        ),
      },
    });
    const dialog = await openDialog(user);

    const suite = await within(dialog).findByRole("combobox", { name: "Suite" });
    expect(
      within(suite)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Sums (4 cases)", "Tone (1 case)"]);
    await user.selectOptions(suite, "evs_2");
    const name = within(dialog).getByRole("textbox", { name: "Case name" });
    expect(name).toHaveAttribute("placeholder", "from run_1");
    await user.type(name, " review ");
    const sameAnswer = within(dialog).getByRole("checkbox", { name: "Expect the same answer" });
    expect(sameAnswer).toBeChecked();
    // The run called two tools: they can be required, in their order.
    const sameTools = within(dialog).getByRole("checkbox", {
      name: "Require the same tool calls, in order",
    });
    expect(sameTools).not.toBeChecked();
    expect(sameTools).toHaveAccessibleDescription("Called: search, fetch.");
    await user.click(sameTools);
    await user.click(within(dialog).getByRole("button", { name: "Add case" }));

    await waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
    const sent = requests.filter((request) => request.method === "POST");
    expect(sent.map((request) => request.path)).toEqual([FROM_RUN]);
    expect(sent[0]?.body).toEqual({
      run_id: "run_1",
      name: "review",
      expect_same_output: true,
      expect_same_tools: true,
    });
    expect(screen.getByText(/review is added to Tone\./)).toBeInTheDocument();
    const link = screen.getByRole("link", { name: "Open the suite" });
    expect(link).toHaveAttribute("href", "/w/ws_1/agents/agt_1/evals?suite=evs_2");
    await user.click(link);
    expect(router.state.location.pathname).toBe("/w/ws_1/agents/agt_1/evals");
    expect(router.state.location.search).toBe("?suite=evs_2");
  });

  it("offers no tool check for a run that called no tools", async () => {
    const user = userEvent.setup();
    const first = recordedSteps[0];
    const last = recordedSteps.at(-1);
    if (!first || !last) {
      throw new Error("The recorded run has steps.");
    }
    const { requests } = renderRun({
      run: recordedRun({ step_count: 2 }),
      steps: [first, last],
      answers: {
        [`GET ${SUITES}`]: page([SUMS]),
        [`POST ${SUITES}/evs_1/from-run`]: json(evalCase({ name: "from run_1" }), 201),
      },
    });
    const dialog = await openDialog(user);
    await within(dialog).findByRole("combobox", { name: "Suite" });
    expect(within(dialog).queryByRole("checkbox", { name: /tool calls/ })).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("checkbox", { name: "Expect the same answer" }));
    await user.click(within(dialog).getByRole("button", { name: "Add case" }));

    await waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({
      run_id: "run_1",
      name: "",
      expect_same_output: false,
      expect_same_tools: false,
    });
  });

  it("offers the tool check when the page holds only part of the run's steps", async () => {
    const user = userEvent.setup();
    const first = recordedSteps[0];
    if (!first) {
      throw new Error("The recorded run has steps.");
    }
    renderRun({
      run: recordedRun({ step_count: 500 }),
      steps: [first],
      answers: { [`GET ${SUITES}`]: page([SUMS]) },
    });
    const dialog = await openDialog(user);
    const sameTools = await within(dialog).findByRole("checkbox", {
      name: "Require the same tool calls, in order",
    });
    expect(sameTools).toHaveAccessibleDescription(
      "The tools the run called become required, in their order.",
    );
  });

  it("sends to the agent's Evaluations page when it has no suite", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderRun({ answers: { [`GET ${SUITES}`]: page([]) } });
    const dialog = await openDialog(user);

    expect(await within(dialog).findByText(/This agent has no eval suite yet/)).toBeInTheDocument();
    expect(within(dialog).queryByRole("combobox")).not.toBeInTheDocument();
    expect(within(dialog).queryByRole("button", { name: "Add case" })).not.toBeInTheDocument();
    const link = within(dialog).getByRole("link", { name: "Go to Evaluations" });
    expect(link).toHaveAttribute("href", "/w/ws_1/agents/agt_1/evals");
    await user.click(link);
    expect(router.state.location.pathname).toBe("/w/ws_1/agents/agt_1/evals");
    expect(requests.some((request) => request.method === "POST")).toBe(false);
  });

  it("shows a full suite at the suite, and a refused run in the form's alert", async () => {
    const user = userEvent.setup();
    renderRun({
      answers: {
        [`GET ${SUITES}`]: page([TONE]),
        [`POST ${FROM_RUN}`]: [
          problem(409, "conflict", "A suite has at most 500 cases; it has 500.", {
            reason: "too-many-cases",
          }),
          problem(422, "validation-failed", "The request has invalid fields; see errors.", {
            errors: [
              {
                in: "body",
                pointer: "#/run_id",
                message: "The run run_1 has not succeeded; only a finished answer is a case.",
              },
            ],
          }),
        ],
      },
    });
    const dialog = await openDialog(user);
    const suite = await within(dialog).findByRole("combobox", { name: "Suite" });

    await user.click(within(dialog).getByRole("button", { name: "Add case" }));
    await waitFor(() => {
      expect(suite).toHaveAccessibleDescription("A suite has at most 500 cases; it has 500.");
    });
    expect(suite).toBeInvalid();
    expect(within(dialog).queryByRole("alert")).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole("button", { name: "Add case" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "The run run_1 has not succeeded; only a finished answer is a case.",
    );
    expect(within(dialog).getByRole("alert")).toHaveTextContent("req_test");
    expect(screen.getByRole("dialog", { name: "Add to eval suite" })).toBeInTheDocument();
  });
});
