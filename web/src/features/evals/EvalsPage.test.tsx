import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, noContent, page, problem, type RecordedRequest } from "../../test/fake-api";
import {
  agent,
  evalCase,
  evalRun,
  evalSuite,
  evalTarget,
  me,
  suiteSummary,
} from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { EvalsPage } from "./EvalsPage";

const AGENT = "/api/v1/workspaces/ws_1/agents/agt_1";
const SUITES = `${AGENT}/eval-suites`;
const EVAL_RUNS = `${AGENT}/eval-runs`;

const AGENT_DETAIL: Schemas["AgentDetail"] = {
  ...agent(),
  definition: {
    instructions: "You add numbers.",
    model: null,
    tools: [],
    mcp_servers: [],
    input_schema: null,
    output_schema: null,
  },
};

const SUMS_CASE = evalCase({
  checks: {
    ...evalCase().checks,
    expected_output: "4",
    contains: ["4"],
    required_tools: ["calculator"],
    tool_order: "in_order",
    max_cost_usd: "0.05000000",
  },
});
const TONE_CASE = evalCase({ id: "evc_2", name: "polite", input: "Say hello\nthen goodbye" });
const SUMS = evalSuite({ cases: [SUMS_CASE, TONE_CASE], revision: 3 });
const EMPTY_SUITE = evalSuite({ id: "evs_2", name: "Tone", cases: [] });

const team = me.teams[0];

function renderEvals(answers: Parameters<typeof fakeApi>[0], { role = "owner", url = "" } = {}) {
  const workspace = team?.workspaces[0];
  if (!team || !workspace) {
    throw new Error("The fixture has a workspace.");
  }
  const current: CurrentWorkspace = { team: { ...team, role }, workspace };
  const requests = fakeApi({
    [`GET ${AGENT}`]: json(AGENT_DETAIL),
    [`GET ${AGENT}/environments`]: page([
      {
        name: "production",
        version: 2,
        version_id: "agv_2",
        previous_version: null,
        updated_at: "2026-11-20T09:00:00Z",
        updated_by_user_id: "usr_1",
        gate_suite_id: null,
        gate_min_pass_rate: null,
        split_version: null,
        split_percent: 0,
      },
    ]),
    ...answers,
  });
  const view = renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { path: "agents/:agentId/evals", element: <EvalsPage /> },
          { path: "agents/:agentId/evals/runs/:evalRunId", element: <h1>Eval run page</h1> },
        ],
      },
    ],
    `/w/ws_1/agents/agt_1/evals${url}`,
  );
  return { ...view, requests };
}

function posts(requests: RecordedRequest[], path: string) {
  return requests.filter((request) => request.method === "POST" && request.path === path);
}

describe("EvalsPage", () => {
  it("lists the suites, and shows the chosen one's cases with their checks and its eval runs", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderEvals({
      [`GET ${SUITES}`]: page([suiteSummary(SUMS), suiteSummary(EMPTY_SUITE)]),
      [`GET ${SUITES}/evs_1`]: json(SUMS),
      [`GET ${SUITES}/evs_2`]: json(EMPTY_SUITE),
      [`GET ${EVAL_RUNS}`]: (request) =>
        request.query.suite_id === "evs_1"
          ? page([
              evalRun({
                targets: [
                  evalTarget({ label: "production (v2)", pass_rate: 0.5 }),
                  evalTarget({ position: 1, label: "v3", pass_rate: 1 }),
                ],
              }),
            ])
          : page([]),
    });

    expect(await screen.findByRole("heading", { name: "Evaluations", level: 1 })).toBeVisible();
    const suites = await screen.findByRole("navigation", { name: "Suites" });
    expect(within(suites).getByRole("link", { name: /Sums/ })).toHaveAttribute(
      "aria-current",
      "page",
    );
    expect(within(suites).getByRole("link", { name: /Sums/ })).toHaveTextContent(
      "2 cases · rev. 3",
    );

    const cases = await screen.findByRole("table", { name: "Cases of Sums" });
    const rows = within(cases).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("What is 2 + 2?");
    const checks = within(cases).getByRole("list", { name: "Checks of sums" });
    expect(
      within(checks)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["equals expected", "contains “4”", "calls calculator in order", "≤ $0.05"]);
    expect(rows[2]).toHaveTextContent("Say hello");
    expect(rows[2]).toHaveTextContent("Run succeeds");

    const runs = await screen.findByRole("table", { name: "Eval runs of Sums" });
    expect(runs).toHaveTextContent("production (v2)");
    expect(runs).toHaveTextContent("50%");
    expect(runs).toHaveTextContent("100%");
    expect(runs).toHaveTextContent("older");
    expect(within(runs).getByRole("link")).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1/evals/runs/evr_1",
    );

    await user.click(within(suites).getByRole("link", { name: /Tone/ }));
    expect(await screen.findByText(/No cases yet/)).toBeVisible();
    expect(router.state.location.search).toBe("?suite=evs_2");
    expect(screen.getByRole("button", { name: "Run evaluation" })).toBeDisabled();
    const runLists = requests.filter((request) => request.path === EVAL_RUNS);
    expect(runLists.map((request) => request.query.suite_id)).toEqual(["evs_1", "evs_2"]);
  });

  it("says when the agent has no suites, and creates one, showing a taken name by its field", async () => {
    const user = userEvent.setup();
    const created = evalSuite({ id: "evs_3", name: "Regression" });
    const { requests } = renderEvals({
      [`GET ${SUITES}`]: [page([]), page([suiteSummary(created)])],
      [`GET ${SUITES}/evs_3`]: json(created),
      [`POST ${SUITES}`]: [
        problem(409, "conflict", "The agent already has a suite named 'Regression'.", {
          reason: "suite-exists",
        }),
        json(created, 201),
      ],
      [`GET ${EVAL_RUNS}`]: page([]),
    });

    expect(await screen.findByRole("heading", { name: "No suites yet" })).toBeVisible();
    await user.click(screen.getByRole("button", { name: "New suite" }));
    const dialog = screen.getByRole("dialog", { name: "New suite" });
    await user.type(within(dialog).getByLabelText("Name"), "Regression");
    await user.type(within(dialog).getByLabelText("Description"), "Answers we got wrong");
    await user.click(within(dialog).getByRole("button", { name: "Create suite" }));

    const name = within(dialog).getByLabelText("Name");
    await waitFor(() => {
      expect(name).toHaveAccessibleDescription("The agent already has a suite named 'Regression'.");
    });
    await user.click(within(dialog).getByRole("button", { name: "Create suite" }));

    expect(
      await screen.findByText("Regression is created. Add its cases, or import them from a file."),
    ).toBeVisible();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(posts(requests, SUITES).map((request) => request.body)).toEqual([
      { name: "Regression", description: "Answers we got wrong" },
      { name: "Regression", description: "Answers we got wrong" },
    ]);
    expect(await screen.findByRole("heading", { name: "Regression", level: 2 })).toBeVisible();
  });

  it("adds a case with its checks, refusing a schema that is not JSON", async () => {
    const user = userEvent.setup();
    const added = evalCase({ id: "evc_3", name: "capital", input: "Capital of France?" });
    const { requests } = renderEvals({
      [`GET ${SUITES}`]: page([suiteSummary(EMPTY_SUITE)]),
      [`GET ${SUITES}/evs_2`]: json(EMPTY_SUITE),
      [`POST ${SUITES}/evs_2/cases`]: json(
        evalSuite({ ...EMPTY_SUITE, cases: [added], revision: 2 }),
      ),
      [`GET ${EVAL_RUNS}`]: page([]),
    });

    await user.click(await screen.findByRole("button", { name: "Add case" }));
    const dialog = screen.getByRole("dialog", { name: "Add case" });
    await user.type(within(dialog).getByLabelText("Name"), "capital");
    await user.type(within(dialog).getByLabelText("Input"), "Capital of France?");
    await user.type(within(dialog).getByLabelText("Contains"), "Paris{Enter}France");
    await user.click(within(dialog).getByLabelText("Case sensitive"));
    await user.type(within(dialog).getByLabelText("Required tools"), "search, http_fetch");
    await user.selectOptions(within(dialog).getByLabelText("Tool order"), "In this order");
    await user.type(within(dialog).getByLabelText("Rubric"), "Names the city.");
    await user.type(within(dialog).getByLabelText("Max cost (USD)"), "0.05");
    await user.type(within(dialog).getByLabelText("Max latency (ms)"), "5000");
    const schema = within(dialog).getByLabelText("Output schema");
    await user.type(schema, "not json");
    await user.click(within(dialog).getByRole("button", { name: "Add case" }));

    expect(schema).toHaveAccessibleDescription(/This is not valid JSON\./);
    expect(posts(requests, `${SUITES}/evs_2/cases`)).toHaveLength(0);

    await user.clear(schema);
    await user.click(within(dialog).getByRole("button", { name: "Add case" }));

    expect(await screen.findByText("capital is added.")).toBeVisible();
    const sent = posts(requests, `${SUITES}/evs_2/cases`);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual([
      {
        name: "capital",
        input: "Capital of France?",
        checks: {
          expected_output: null,
          contains: ["Paris", "France"],
          case_sensitive: false,
          output_schema: null,
          required_tools: ["search", "http_fetch"],
          tool_order: "in_order",
          forbidden_tools: [],
          rubric: "Names the city.",
          max_cost_usd: "0.05",
          max_latency_ms: 5000,
        },
      },
    ]);
    const cases = await screen.findByRole("table", { name: "Cases of Tone" });
    expect(cases).toHaveTextContent("Capital of France?");
  });

  it("edits a case with its checks filled in, and deletes one after confirmation", async () => {
    const user = userEvent.setup();
    const { requests } = renderEvals({
      [`GET ${SUITES}`]: page([suiteSummary(SUMS)]),
      [`GET ${SUITES}/evs_1`]: [
        json(SUMS),
        json({ ...SUMS, revision: 4 }),
        json({ ...SUMS, cases: [SUMS_CASE], case_count: 1, revision: 5 }),
      ],
      [`PUT ${SUITES}/evs_1/cases/evc_1`]: json(SUMS_CASE),
      [`DELETE ${SUITES}/evs_1/cases/evc_2`]: noContent(),
      [`GET ${EVAL_RUNS}`]: page([]),
    });

    await user.click(await screen.findByRole("button", { name: "Edit sums" }));
    const dialog = screen.getByRole("dialog", { name: "Edit sums" });
    expect(within(dialog).getByLabelText("Expected output")).toHaveValue("4");
    expect(within(dialog).getByLabelText("Required tools")).toHaveValue("calculator");
    expect(within(dialog).getByLabelText("Tool order")).toHaveValue("in_order");
    expect(within(dialog).getByLabelText("Max cost (USD)")).toHaveValue("0.05");
    await user.clear(within(dialog).getByLabelText("Expected output"));
    await user.type(within(dialog).getByLabelText("Expected output"), "four");
    await user.click(within(dialog).getByRole("button", { name: "Save case" }));

    expect(await screen.findByText("sums is saved.")).toBeVisible();
    const put = requests.find((request) => request.method === "PUT");
    expect(put?.body).toMatchObject({
      name: "sums",
      input: "What is 2 + 2?",
      checks: { expected_output: "four", contains: ["4"], max_cost_usd: "0.05" },
    });

    await user.click(screen.getByRole("button", { name: "Delete polite" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete polite?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete case" }));

    expect(await screen.findByText("polite is deleted.")).toBeVisible();
    expect(requests.filter((request) => request.method === "DELETE")).toHaveLength(1);
    await waitFor(() => {
      expect(screen.queryByRole("button", { name: "Delete polite" })).toBeNull();
    });
  });

  it("imports a file as it is, and shows the line the API refused", async () => {
    const user = userEvent.setup({ applyAccept: false });
    const { requests } = renderEvals({
      [`GET ${SUITES}`]: page([suiteSummary(EMPTY_SUITE)]),
      [`GET ${SUITES}/evs_2`]: json(EMPTY_SUITE),
      [`POST ${SUITES}/evs_2/import`]: [
        problem(422, "validation-failed", "Line 3: input: Field required", {
          errors: [{ in: "body", pointer: "#/file", message: "Line 3: input: Field required" }],
        }),
        json(
          { suite: { ...suiteSummary(EMPTY_SUITE), case_count: 2, revision: 2 }, imported: 2 },
          201,
        ),
      ],
      [`GET ${EVAL_RUNS}`]: page([]),
    });

    await user.click(await screen.findByRole("button", { name: "Import" }));
    const dialog = screen.getByRole("dialog", { name: "Import cases" });
    expect(dialog).toHaveTextContent("list checks split on |");
    const picker = within(dialog).getByLabelText("CSV or JSON Lines file");
    const csv = "name,input,expected_output\nsums,What is 2+2?,4\nbroken,,\n";
    await user.upload(picker, new File([csv], "cases.csv", { type: "text/csv" }));
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Line 3: input: Field required",
    );

    const jsonl = '{"input": "What is 2+2?"}\n{"input": "And 3+3?"}\n';
    await user.upload(picker, new File([jsonl], "cases.jsonl"));
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await screen.findByText("2 cases imported into Tone.")).toBeVisible();
    const sent = posts(requests, `${SUITES}/evs_2/import`);
    expect(sent.map((request) => [request.contentType, request.body])).toEqual([
      ["text/csv", csv],
      ["application/x-ndjson", jsonl],
    ]);
  });

  it("runs an evaluation of two targets and opens it", async () => {
    const user = userEvent.setup();
    const { requests } = renderEvals({
      [`GET ${SUITES}`]: page([suiteSummary(SUMS)]),
      [`GET ${SUITES}/evs_1`]: json(SUMS),
      [`GET ${EVAL_RUNS}`]: page([]),
      [`POST ${EVAL_RUNS}`]: json(evalRun({ id: "evr_9", status: "queued" }), 201),
    });

    await user.click(await screen.findByRole("button", { name: "Run evaluation" }));
    const dialog = screen.getByRole("dialog", { name: "Run evaluation" });
    const target = within(dialog).getByRole("combobox", { name: "Target" });
    expect(target).toHaveValue("current");
    expect(
      within(target)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Current version (v3)", "production (v2)", "v3", "v2", "v1"]);
    await user.selectOptions(target, "production (v2)");
    const second = within(dialog).getByRole("combobox", { name: "Compare with" });
    await user.selectOptions(second, "production (v2)");
    await user.click(within(dialog).getByRole("button", { name: "Start" }));
    expect(second).toHaveAccessibleDescription(/Pick a different target to compare with\./);
    expect(posts(requests, EVAL_RUNS)).toHaveLength(0);

    await user.selectOptions(second, "Current version (v3)");
    await user.click(within(dialog).getByRole("button", { name: "Start" }));

    expect(await screen.findByRole("heading", { name: "Eval run page" })).toBeVisible();
    expect(posts(requests, EVAL_RUNS).map((request) => request.body)).toEqual([
      { suite_id: "evs_1", targets: [{ environment: "production" }, {}] },
    ]);
  });

  it("shows a viewer the suites and their cases with no way to change them", async () => {
    const { requests } = renderEvals(
      {
        [`GET ${SUITES}`]: page([suiteSummary(SUMS)]),
        [`GET ${SUITES}/evs_1`]: json(SUMS),
        [`GET ${EVAL_RUNS}`]: page([]),
      },
      { role: "viewer" },
    );
    expect(await screen.findByRole("table", { name: "Cases of Sums" })).toBeVisible();
    expect(screen.queryByRole("button", { name: "New suite" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Run evaluation" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Edit|Delete|Import|Add case/ })).toBeNull();
    expect(requests.every((request) => request.method === "GET")).toBe(true);
  });
});
