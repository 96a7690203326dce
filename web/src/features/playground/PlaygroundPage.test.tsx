import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { beforeEach, describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { fakeApi, json, problem, type RecordedRequest, page } from "../../test/fake-api";
import { agent, me, provider as providerFixture, run as runFixture } from "../../test/fixtures";
import { FakeEventSource, streamOf, stubGraphBrowser } from "../../test/react-flow";
import { renderRoutes } from "../../test/render";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { PlaygroundPage } from "./PlaygroundPage";

type Run = Schemas["RunOut"];
type Definition = Schemas["AgentDefinition"];

const WS = "/api/v1/workspaces/ws_1";
const AGENT = `${WS}/agents/agt_1`;
const RUNS = `${AGENT}/runs`;
const INSTRUCTIONS = "You answer questions.";

const team = me.teams[0];
const current = { team, workspace: team?.workspaces[0] } as CurrentWorkspace;

beforeEach(() => {
  stubGraphBrowser();
});

function definition(overrides: Partial<Definition> = {}): Definition {
  return {
    instructions: INSTRUCTIONS,
    model: null,
    tools: [{ name: "calculator", requires_approval: true }],
    mcp_servers: [],
    input_schema: null,
    output_schema: null,
    ...overrides,
  };
}

const provider = providerFixture({
  name: "Local",
  kind: "openai_compatible",
  base_url: "http://127.0.0.1:9/v1",
  default_model: "gpt-test",
});

function queued(id: string, overrides: Partial<Run> = {}): Run {
  return runFixture({
    id,
    thread_id: id,
    status: "queued",
    output: null,
    latency_ms: null,
    finished_at: null,
    step_count: 0,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: "0",
    ...overrides,
  });
}

/**
 * A backend that keeps the runs it started: each POST makes the next run (its thread is
 * the request's, or its own), and the graph and list answer them as they are now.
 */
function backend(
  overrides: Record<string, Response | ((request: RecordedRequest) => Response)> = {},
) {
  const runs = new Map<string, Run>();
  let made = 0;
  const requests = fakeApi({
    [`GET ${WS}/agents`]: json({ items: [agent()], next_cursor: null }),
    [`GET ${AGENT}`]: json({ ...agent(), definition: definition() }),
    [`GET ${WS}/providers`]: json({ items: [provider], next_cursor: null }),
    [`GET ${AGENT}/versions`]: json({
      items: [3, 2, 1].map((number) => ({
        id: `agv_${number}`,
        agent_id: "agt_1",
        number,
        created_by_user_id: "usr_1",
        created_at: `2026-11-1${number}T09:00:00Z`,
      })),
      next_cursor: null,
    }),
    [`POST ${RUNS}`]: (request) => {
      made += 1;
      const body = request.body as { thread_id?: string; draft?: unknown; version?: number };
      const id = `run_${made}`;
      const started = queued(id, {
        thread_id: body.thread_id ?? id,
        draft: body.draft !== undefined,
        agent_version_id: `agv_${body.version ?? 3}`,
        input: (request.body as { input: string }).input,
      });
      runs.set(id, started);
      return json(started, 202);
    },
    [`GET ${WS}/runs`]: (request) => {
      const { thread_id: thread, sort } = request.query;
      const listed = [...runs.values()].filter((run) => !thread || run.thread_id === thread);
      return json({
        items: sort === "created_at" ? listed : listed.reverse(),
        next_cursor: null,
      });
    },
    ...Object.fromEntries(
      ["run_1", "run_2", "run_3"].map((id) => [
        `GET ${WS}/runs/${id}/graph`,
        () => json({ run: runs.get(id), nodes: [], edges: [] }),
      ]),
    ),
    ...overrides,
  });
  /** The run as it ended: what the stream's `end` and the API answer from now on. */
  const finish = (id: string, changes: Partial<Run>) => {
    const earlier = runs.get(id);
    if (!earlier) {
      throw new Error(`no run ${id}`);
    }
    const ended = { ...earlier, ...changes };
    runs.set(id, ended);
    streamOf(id).emit("end", ended);
  };
  return { requests, runs, finish };
}

function renderPlayground(url = "/w/ws_1/playground") {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={current} />,
        children: [
          { path: "playground", element: <PlaygroundPage /> },
          { path: "agents", element: <h1>Agents</h1> },
          { path: "providers", element: <h1>Providers</h1> },
          { path: "billing", element: <h1>Billing</h1> },
        ],
      },
    ],
    url,
  );
}

function posted(requests: RecordedRequest[], path = RUNS) {
  return requests
    .filter((request) => request.method === "POST" && request.path === path)
    .map((request) => request.body);
}

async function instructions() {
  const field = await screen.findByLabelText("Instructions");
  await waitFor(() => {
    expect(field).toHaveValue(INSTRUCTIONS);
  });
  return field;
}

describe("PlaygroundPage", () => {
  it("offers the way to the agents when the workspace has none", async () => {
    fakeApi({ [`GET ${WS}/agents`]: json({ items: [], next_cursor: null }) });
    renderPlayground();
    expect(await screen.findByRole("heading", { name: "No agent to try yet" })).toBeVisible();
    expect(screen.getByRole("link", { name: "Go to your agents" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents",
    );
  });

  it("runs the draft, streams the answer, and continues the thread with a follow-up", async () => {
    const user = userEvent.setup();
    const { requests, finish } = backend();
    const { router } = renderPlayground();
    const field = await instructions();
    expect(screen.getByTestId("draft-status")).toHaveTextContent("Version 3");

    await user.clear(field);
    await user.type(field, "Answer in one word.");
    expect(screen.getByTestId("draft-status")).toHaveTextContent("Draft: unsaved changes");
    const message = screen.getByLabelText("Message");
    await user.type(message, "Hello{Shift>}{Enter}{/Shift}there{Enter}");

    await waitFor(() => {
      expect(posted(requests)).toHaveLength(1);
    });
    expect(posted(requests)[0]).toEqual({
      input: "Hello\nthere",
      mode: "background",
      draft: definition({ instructions: "Answer in one word." }),
    });
    await waitFor(() => {
      expect(router.state.location.search).toBe("?agent=agt_1&thread=run_1");
    });
    expect(message).toHaveValue("");
    const log = screen.getByRole("log", { name: "Messages" });
    expect(log).toHaveAttribute("aria-live", "polite");
    expect(await within(log).findByTestId("message")).toHaveTextContent("Hello there");

    // The answer streams in, then the run's output replaces it.
    await waitFor(() => {
      expect(FakeEventSource.opened.map((source) => source.url)).toContain(
        `${WS}/runs/run_1/events`,
      );
    });
    streamOf("run_1").emit("delta", { request: 1, part: 0, kind: "text", text: "Hel" });
    streamOf("run_1").emit("delta", { request: 1, part: 0, kind: "text", text: "lo!" });
    expect(within(log).getByTestId("answer")).toHaveTextContent("Hello!");
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
    finish("run_1", { status: "succeeded", output: { text: "Hi." }, latency_ms: 800 });
    await waitFor(() => {
      expect(within(log).getByTestId("answer")).toHaveTextContent("Hi.");
    });

    // The follow-up carries the thread, so the model sees the first exchange.
    await user.type(message, "Again?{Enter}");
    await waitFor(() => {
      expect(posted(requests)).toHaveLength(2);
    });
    expect(posted(requests)[1]).toMatchObject({ input: "Again?", thread_id: "run_1" });
    await waitFor(() => {
      expect(within(log).getAllByTestId("chat-turn")).toHaveLength(2);
    });
    expect(router.state.location.search).toBe("?agent=agt_1&thread=run_1");

    await user.click(screen.getByRole("button", { name: "New conversation" }));
    expect(router.state.location.search).toBe("?agent=agt_1");
    expect(message).toHaveFocus();
    expect(within(log).queryAllByTestId("chat-turn")).toHaveLength(0);
  });

  it("runs an agent with an input schema from a form of its fields, or from JSON", async () => {
    const user = userEvent.setup();
    const schema = {
      type: "object",
      required: ["code"],
      properties: {
        code: { type: "string", description: "The code to review." },
        language: { type: "string", enum: ["python", "typescript"] },
        strict: { type: "boolean" },
      },
    };
    const { requests } = backend({
      [`GET ${AGENT}`]: json({ ...agent(), definition: definition({ input_schema: schema }) }),
    });
    renderPlayground("/w/ws_1/playground?agent=agt_1");
    await instructions();
    expect(screen.queryByLabelText("Message")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Correct the highlighted fields.")).toBeInTheDocument();
    expect(screen.getByLabelText("Code")).toHaveAccessibleDescription(/Required\./);
    expect(posted(requests)).toEqual([]);

    await user.type(screen.getByLabelText("Code"), "def f(): pass");
    await user.selectOptions(screen.getByLabelText("Language (optional)"), "typescript");
    await user.click(screen.getByLabelText("Strict"));
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => {
      expect(posted(requests)).toHaveLength(1);
    });
    expect(posted(requests)[0]).toMatchObject({
      input: { code: "def f(): pass", language: "typescript", strict: true },
    });

    await user.click(screen.getByRole("button", { name: "JSON" }));
    expect(screen.getByRole("button", { name: "JSON" })).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByLabelText("Input (JSON)")).toHaveValue(
      JSON.stringify({ code: "", strict: false }, null, 2),
    );
  });

  it("resumes the thread in the address, with its runs in order", async () => {
    const { runs } = backend();
    runs.set(
      "run_1",
      queued("run_1", { status: "succeeded", input: "First", output: { text: "One." } }),
    );
    runs.set(
      "run_2",
      queued("run_2", {
        thread_id: "run_1",
        status: "succeeded",
        input: "Second",
        output: { text: "Two." },
      }),
    );
    runs.set("run_3", queued("run_3", { status: "succeeded", input: "Elsewhere" }));
    renderPlayground("/w/ws_1/playground?agent=agt_1&thread=run_1");
    const log = await screen.findByRole("log", { name: "Messages" });
    await waitFor(() => {
      expect(
        within(log)
          .getAllByTestId("message")
          .map((item) => item.textContent),
      ).toEqual(["First", "Second"]);
    });
    expect(
      within(log)
        .getAllByTestId("answer")
        .map((item) => item.textContent),
    ).toEqual(["One.", "Two."]);
  });

  it("decides on the paused tool calls in the conversation, then follows the run again", async () => {
    const user = userEvent.setup();
    const approval = (id: string, expression: string): Schemas["ApprovalOut"] => ({
      id: `apr_${id}`,
      tool_call_id: id,
      tool_name: "calculator",
      arguments: { expression },
      status: "pending",
      reason: null,
      created_at: "2026-11-20T09:00:00Z",
      decided_at: null,
    });
    const approvals = [approval("call_1", "6*7"), approval("call_2", "1/0")];
    // The run resumes once no call is pending, as the API does.
    const server = backend({
      [`GET ${WS}/runs/run_1/approvals`]: () => page(approvals),
      [`POST ${WS}/runs/run_1/approvals`]: (request) => {
        for (const decision of (request.body as Schemas["ApprovalDecisions"]).decisions) {
          const decided = approvals.find((item) => item.tool_call_id === decision.tool_call_id);
          if (decided) {
            decided.status = decision.approved ? "approved" : "rejected";
          }
        }
        const pending = approvals.some((item) => item.status === "pending");
        const now = queued("run_1", { status: pending ? "waiting_approval" : "queued" });
        server.runs.set("run_1", now);
        return json(now);
      },
    });
    const { requests, runs } = server;
    runs.set("run_1", queued("run_1", { status: "waiting_approval", input: "6*7 and 1/0?" }));
    renderPlayground("/w/ws_1/playground?thread=run_1");

    const paused = await screen.findByRole("group", { name: "Tool calls waiting for approval" });
    const calls = await within(paused).findAllByTestId("approval");
    expect(calls[0]).toHaveTextContent("calculator");
    expect(calls[0]).toHaveTextContent('"expression": "6*7"');
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();

    const [first, second] = calls as [HTMLElement, HTMLElement];
    await user.click(within(first).getByRole("button", { name: "Approve" }));
    await user.type(within(second).getByLabelText(/Reason/), "Not by zero.");
    await user.click(within(second).getByRole("button", { name: "Reject" }));

    const decisions = `${WS}/runs/run_1/approvals`;
    await waitFor(() => {
      expect(posted(requests, decisions)).toHaveLength(2);
    });
    expect(posted(requests, decisions)).toEqual([
      { decisions: [{ tool_call_id: "call_1", approved: true, reason: null }] },
      { decisions: [{ tool_call_id: "call_2", approved: false, reason: "Not by zero." }] },
    ]);
    // The run is queued again: its stream is followed again.
    await waitFor(() => {
      expect(FakeEventSource.opened.map((source) => source.url)).toContain(
        `${WS}/runs/run_1/events`,
      );
    });
  });

  it("compares a saved version with the draft on one input", async () => {
    const user = userEvent.setup();
    const { requests, finish } = backend();
    const { router } = renderPlayground("/w/ws_1/playground?agent=agt_1&mode=compare");
    const field = await instructions();
    await user.type(field, " Be brief.");

    expect(screen.getByLabelText("Right")).toHaveValue("draft");
    await user.selectOptions(screen.getByLabelText("Left"), "Version 1");
    await user.type(screen.getByLabelText("Input for both"), "What is 6*7?");
    await user.click(screen.getByRole("button", { name: "Run both" }));

    await waitFor(() => {
      expect(posted(requests)).toHaveLength(2);
    });
    expect(posted(requests)).toEqual([
      { input: "What is 6*7?", mode: "background", version: 1 },
      {
        input: "What is 6*7?",
        mode: "background",
        draft: definition({ instructions: `${INSTRUCTIONS} Be brief.` }),
      },
    ]);
    await waitFor(() => {
      expect(router.state.location.search).toBe(
        "?agent=agt_1&mode=compare&left=1&right=draft&left_run=run_1&right_run=run_2",
      );
    });
    const left = await screen.findByRole("region", { name: "Left run" });
    const right = screen.getByRole("region", { name: "Right run" });
    await waitFor(() => {
      expect(within(left).getByRole("heading")).toHaveTextContent("Left: Version 1");
    });
    expect(within(right).getByRole("heading")).toHaveTextContent("Right: Draft");

    await waitFor(() => {
      expect(FakeEventSource.opened).toHaveLength(2);
    });
    finish("run_1", {
      status: "succeeded",
      output: { text: "42" },
      tokens_in: 12,
      latency_ms: 900,
    });
    finish("run_2", { status: "succeeded", output: { text: "Forty-two." }, cost_usd: "0.0020" });
    await waitFor(() => {
      expect(within(left).getByTestId("answer")).toHaveTextContent("42");
    });
    expect(within(right).getByTestId("answer")).toHaveTextContent("Forty-two.");
    expect(left.querySelector('[data-field="tokens-in"]')).toHaveTextContent("12");
    expect(left.querySelector('[data-field="latency"]')).toHaveTextContent("900 ms");
    expect(right.querySelector('[data-field="cost"]')).toHaveAttribute("data-value", "0.0020");
    expect(within(right).getByRole("link", { name: /Open the run/ })).toHaveAttribute(
      "href",
      "/w/ws_1/runs/run_2",
    );
  });

  it("saves the draft as a new version based on the version it was edited from, or discards it", async () => {
    const user = userEvent.setup();
    const saved = {
      ...agent({ current_version: 4 }),
      definition: definition({ instructions: "New." }),
    };
    const { requests } = backend({ [`PATCH ${AGENT}`]: json(saved) });
    renderPlayground();
    const field = await instructions();

    await user.type(field, " Extra.");
    await user.click(screen.getByRole("button", { name: "Discard" }));
    expect(field).toHaveValue(INSTRUCTIONS);
    expect(screen.getByRole("button", { name: "Save as new version" })).toBeDisabled();

    await user.clear(field);
    await user.type(field, "New.");
    await user.click(screen.getByRole("button", { name: "Save as new version" }));
    expect(await screen.findByText(/Saved as version 4/)).toBeVisible();
    expect(requests.find((request) => request.method === "PATCH")?.body).toEqual({
      expected_version: 3,
      definition: definition({ instructions: "New." }),
    });
    expect(screen.getByTestId("draft-status")).toHaveTextContent("Version 4");
  });

  it("links to the providers when no provider can run the agent", async () => {
    const user = userEvent.setup();
    backend({
      [`POST ${RUNS}`]: problem(409, "no-provider-configured", "Add a model provider first."),
    });
    renderPlayground();
    await instructions();
    await user.type(screen.getByLabelText("Message"), "Hello{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Add a model provider first.");
    expect(within(alert).getByRole("link", { name: "Add a model provider" })).toHaveAttribute(
      "href",
      "/w/ws_1/providers",
    );
  });

  it("shows the plan's limit when the day's runs are used up", async () => {
    const user = userEvent.setup();
    backend({
      [`POST ${RUNS}`]: problem(402, "entitlement-exceeded:runs-per-day", "No runs left today.", {
        limit: 100,
        current: 100,
        upgrade_plan: "growth",
      }),
    });
    renderPlayground();
    await instructions();
    await user.type(screen.getByLabelText("Message"), "Hello{Enter}");
    expect(await screen.findByText("Your plan's limit is reached")).toBeVisible();
    expect(screen.getByRole("link", { name: "Upgrade to Growth" })).toHaveAttribute(
      "href",
      "/w/ws_1/billing",
    );
  });
});
