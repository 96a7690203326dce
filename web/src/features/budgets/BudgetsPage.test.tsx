import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { json, noContent, page, problem } from "../../test/fake-api";
import { agent, apiKey } from "../../test/fixtures";
import { renderWorkspacePage, type Answers } from "../../test/workspace";
import { BudgetsPage } from "./BudgetsPage";

const BUDGETS = "/api/v1/workspaces/ws_1/budgets";
const KILL_SWITCH = "/api/v1/workspaces/ws_1/kill-switch";

function budget(overrides: Partial<Schemas["BudgetOut"]> = {}): Schemas["BudgetOut"] {
  return {
    id: "bud_1",
    scope: "agent_day",
    subject: "agt_1",
    max_tokens: 200000,
    max_cost_usd: "5.00000000",
    period_start: "2026-11-20T00:00:00Z",
    spent_tokens: 170000,
    spent_cost_usd: "0.42000000",
    used_percent: 85,
    created_at: "2026-11-10T09:00:00Z",
    updated_at: "2026-11-10T09:00:00Z",
    ...overrides,
  };
}

const off: Schemas["KillSwitchOut"] = {
  engaged: false,
  engaged_at: null,
  engaged_by_user_id: null,
  reason: null,
  runs_cancelled: 0,
  chain_runs_cancelled: 0,
};

const engaged: Schemas["KillSwitchOut"] = {
  engaged: true,
  engaged_at: "2026-11-20T10:00:00Z",
  engaged_by_user_id: "usr_1",
  reason: "A runaway agent",
  runs_cancelled: 0,
  chain_runs_cancelled: 0,
};

function renderBudgets(role: string, answers: Answers) {
  return renderWorkspacePage({
    path: "budgets",
    element: <BudgetsPage />,
    role,
    answers: {
      [`GET ${KILL_SWITCH}`]: json(off),
      "GET /api/v1/workspaces/ws_1/agents": page([
        agent(),
        agent({ id: "agt_2", name: "Old bot", status: "archived" }),
      ]),
      "GET /api/v1/workspaces/ws_1/api-keys": page([apiKey()]),
      ...answers,
    },
  });
}

function cardOf(text: string) {
  const card = screen.getAllByTestId("budget").find((item) => item.textContent.includes(text));
  if (!card) throw new Error(`no budget card with ${text}`);
  return card;
}

describe("BudgetsPage", () => {
  it("lists each budget with its scope, its subject by name, its limits and its spend", async () => {
    renderBudgets("owner", {
      [`GET ${BUDGETS}`]: page([
        budget(),
        budget({
          id: "bud_2",
          scope: "run",
          subject: "",
          max_tokens: null,
          max_cost_usd: "0.00500000",
          period_start: null,
          spent_tokens: 0,
          spent_cost_usd: "0",
          used_percent: 0,
        }),
        budget({
          id: "bud_3",
          scope: "api_key_day",
          subject: "key_1",
          max_tokens: 1000,
          max_cost_usd: null,
          spent_tokens: 100,
          spent_cost_usd: "0.00420000",
          used_percent: 10,
        }),
        budget({
          id: "bud_4",
          scope: "workspace_month",
          subject: "",
          max_tokens: null,
          max_cost_usd: "100.00000000",
          spent_tokens: 5000000,
          spent_cost_usd: "100.00000000",
          used_percent: 100,
        }),
      ]),
    });
    const list = await screen.findByRole("list", { name: "Budgets" });
    await waitFor(() => {
      expect(within(list).getByText(/Code reviewer/)).toBeInTheDocument();
    });

    const perAgent = cardOf("Per agent per day");
    expect(perAgent).toHaveTextContent("· Code reviewer");
    expect(perAgent).toHaveTextContent("Limit: 200,000 tokens · $5.00");
    const bar = within(perAgent).getByRole("progressbar", { name: "85% used" });
    expect(bar).toHaveAttribute("value", "85");
    expect(bar).toHaveAccessibleDescription("Spent 170,000 tokens · $0.42 today");
    expect(bar.className).toContain("bg-amber-300");

    const perRun = cardOf("Per run");
    expect(perRun).toHaveTextContent("· every agent");
    expect(perRun).toHaveTextContent("Limit: $0.0050");
    expect(perRun).toHaveTextContent("Checked on every run.");
    expect(within(perRun).queryByRole("progressbar")).not.toBeInTheDocument();

    const perKey = cardOf("Per API key per day");
    expect(perKey).toHaveTextContent("· CI pipeline");
    expect(perKey).toHaveTextContent("Limit: 1,000 tokens");
    expect(
      within(perKey).getByRole("progressbar", { name: "10% used" }),
    ).toHaveAccessibleDescription("Spent 100 tokens · $0.0042 today");

    const perMonth = cardOf("Per month");
    const full = within(perMonth).getByRole("progressbar", { name: "100% used" });
    expect(full).toHaveAccessibleDescription("Spent 5,000,000 tokens · $100.00 this month");
    expect(full.className).toContain("bg-rose-400");

    expect(screen.getByRole("region", { name: "Kill switch" })).toHaveTextContent(
      "Stops every run and chain run of this workspace at once and refuses new ones until lifted.",
    );
  });

  it("explains budgets when there are none", async () => {
    renderBudgets("owner", { [`GET ${BUDGETS}`]: page([]) });
    expect(await screen.findByRole("heading", { name: "No budgets yet" })).toBeInTheDocument();
    expect(screen.getByText(/stops a run before the model request/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add a budget" })).toBeInTheDocument();
  });

  it("adds a budget for an agent, and shows why the server refused one", async () => {
    const user = userEvent.setup();
    const created = budget({ id: "bud_9", spent_tokens: 0, spent_cost_usd: "0", used_percent: 0 });
    const { requests } = renderBudgets("admin", {
      [`GET ${BUDGETS}`]: [page([]), page([created])],
      [`POST ${BUDGETS}`]: [
        problem(
          409,
          "conflict",
          "The workspace already has a agent_day budget for agt_1; change that one instead.",
          { reason: "budget-exists" },
        ),
        json(created, 201),
      ],
    });
    await user.click(await screen.findByRole("button", { name: "Add budget" }));
    const dialog = screen.getByRole("dialog", { name: "Add a budget" });
    await user.selectOptions(within(dialog).getByLabelText("Scope"), "Per agent per day");
    const subject = within(dialog).getByLabelText("Agent");
    expect(
      within(subject)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Every agent", "Code reviewer"]);
    await user.selectOptions(subject, "Code reviewer");
    await user.type(within(dialog).getByLabelText("Max tokens"), "200000");
    await user.type(within(dialog).getByLabelText("Max cost (USD)"), "5.00");
    await user.click(within(dialog).getByRole("button", { name: "Add budget" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "already has a agent_day budget for agt_1",
    );

    await user.click(within(dialog).getByRole("button", { name: "Add budget" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
    expect(await screen.findByRole("list", { name: "Budgets" })).toHaveTextContent(
      "Per agent per day",
    );
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts.map((request) => request.body)).toEqual([
      { scope: "agent_day", subject: "agt_1", max_tokens: 200000, max_cost_usd: "5.00" },
      { scope: "agent_day", subject: "agt_1", max_tokens: 200000, max_cost_usd: "5.00" },
    ]);
  });

  it("puts a refused subject on its field, and sends an empty subject for the month", async () => {
    const user = userEvent.setup();
    const { requests } = renderBudgets("owner", {
      [`GET ${BUDGETS}`]: page([]),
      [`POST ${BUDGETS}`]: problem(
        422,
        "validation-failed",
        "No API key key_1 in this workspace.",
        {
          errors: [
            { in: "body", pointer: "#/subject", message: "No API key key_1 in this workspace." },
          ],
        },
      ),
    });
    await user.click(await screen.findByRole("button", { name: "Add budget" }));
    const dialog = screen.getByRole("dialog", { name: "Add a budget" });
    await user.click(within(dialog).getByRole("button", { name: "Add budget" }));
    expect(
      within(dialog).getByText("Set a token limit, a cost limit or both."),
    ).toBeInTheDocument();

    await user.selectOptions(within(dialog).getByLabelText("Scope"), "Per API key per day");
    await user.selectOptions(within(dialog).getByLabelText("API key"), "CI pipeline");
    await user.type(within(dialog).getByLabelText("Max tokens"), "1000");
    await user.click(within(dialog).getByRole("button", { name: "Add budget" }));
    expect(await within(dialog).findByText("No API key key_1 in this workspace.")).toBeVisible();
    expect(within(dialog).getByLabelText("API key")).toHaveAccessibleDescription(
      /No API key key_1 in this workspace/,
    );

    await user.selectOptions(within(dialog).getByLabelText("Scope"), "Per month");
    expect(within(dialog).queryByLabelText("API key")).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Add budget" }));
    await waitFor(() => {
      expect(requests.filter((request) => request.method === "POST")).toHaveLength(2);
    });
    expect(requests.filter((request) => request.method === "POST").map((r) => r.body)).toEqual([
      { scope: "api_key_day", subject: "key_1", max_tokens: 1000 },
      { scope: "workspace_month", subject: "", max_tokens: 1000 },
    ]);
  });

  it("edits a budget: a cleared limit is sent as null, and the server's refusal is shown", async () => {
    const user = userEvent.setup();
    const { requests } = renderBudgets("owner", {
      [`GET ${BUDGETS}`]: [page([budget()]), page([budget({ max_cost_usd: null })])],
      [`PATCH ${BUDGETS}/bud_1`]: [
        problem(422, "validation-failed", "A budget keeps at least one limit; delete it instead.", {
          errors: [{ in: "body", pointer: "#/max_tokens", message: "One limit must remain." }],
        }),
        json(budget({ max_cost_usd: null })),
      ],
    });
    const card = await screen.findByTestId("budget");
    await user.click(within(card).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit budget" });
    const tokens = within(dialog).getByLabelText("Max tokens");
    const cost = within(dialog).getByLabelText("Max cost (USD)");
    expect(tokens).toHaveValue(200000);
    expect(cost).toHaveValue("5.00");

    await user.clear(tokens);
    await user.clear(cost);
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText("One limit must remain.")).toBeVisible();
    expect(tokens).toHaveAccessibleDescription(/One limit must remain/);

    await user.type(tokens, "200000");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => {
      expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    });
    expect(requests.filter((request) => request.method === "PATCH").map((r) => r.body)).toEqual([
      { max_tokens: null, max_cost_usd: null },
      { max_tokens: 200000, max_cost_usd: null },
    ]);
    await waitFor(() => {
      expect(screen.getByTestId("budget")).toHaveTextContent("Limit: 200,000 tokens");
    });
    expect(screen.getByTestId("budget")).not.toHaveTextContent("$5.00");
  });

  it("deletes a budget after confirmation", async () => {
    const user = userEvent.setup();
    const { requests } = renderBudgets("owner", {
      [`GET ${BUDGETS}`]: [page([budget()]), page([])],
      [`DELETE ${BUDGETS}/bud_1`]: noContent(),
    });
    const card = await screen.findByTestId("budget");
    await user.click(within(card).getByRole("button", { name: "Delete" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete this budget?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete budget" }));
    expect(await screen.findByRole("heading", { name: "No budgets yet" })).toBeInTheDocument();
    expect(requests.some((request) => request.method === "DELETE")).toBe(true);
  });

  it("shows a member the budgets and the kill switch, with no way to change them", async () => {
    renderBudgets("member", {
      [`GET ${BUDGETS}`]: page([budget()]),
      [`GET ${KILL_SWITCH}`]: json(engaged),
    });
    const panel = await screen.findByRole("region", { name: "Kill switch engaged" });
    expect(panel).toHaveTextContent("Reason: A runaway agent");
    expect(within(panel).queryByRole("button")).not.toBeInTheDocument();
    const card = await screen.findByTestId("budget");
    expect(within(card).queryByRole("button")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Add budget" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Engage/ })).not.toBeInTheDocument();
    expect(screen.getByText(/your role is member/)).toBeInTheDocument();
  });

  it("engages the kill switch with a reason and says what it stopped", async () => {
    const user = userEvent.setup();
    const { requests } = renderBudgets("owner", {
      [`GET ${BUDGETS}`]: page([]),
      [`PUT ${KILL_SWITCH}`]: json({
        ...engaged,
        reason: "Runaway agent",
        runs_cancelled: 3,
        chain_runs_cancelled: 1,
      }),
    });
    await user.click(await screen.findByRole("button", { name: "Engage kill switch" }));
    const confirm = screen.getByRole("alertdialog", { name: "Engage the kill switch?" });
    await user.type(within(confirm).getByLabelText("Reason"), "  Runaway agent ");
    await user.click(within(confirm).getByRole("button", { name: "Engage kill switch" }));

    const panel = await screen.findByRole("region", { name: "Kill switch engaged" });
    expect(panel).toHaveTextContent("Reason: Runaway agent");
    expect(panel).toHaveTextContent("Stopped 3 runs and 1 chain run.");
    expect(within(panel).getByRole("button", { name: "Lift" })).toBeInTheDocument();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    const put = requests.find((request) => request.method === "PUT");
    expect(put?.body).toEqual({ reason: "Runaway agent" });
  });

  it("lifts the kill switch", async () => {
    const user = userEvent.setup();
    const { requests } = renderBudgets("admin", {
      [`GET ${BUDGETS}`]: page([]),
      [`GET ${KILL_SWITCH}`]: json(engaged),
      [`DELETE ${KILL_SWITCH}`]: json(off),
    });
    const panel = await screen.findByRole("region", { name: "Kill switch engaged" });
    await user.click(within(panel).getByRole("button", { name: "Lift" }));
    expect(await screen.findByRole("button", { name: "Engage kill switch" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Kill switch engaged" })).not.toBeInTheDocument();
    expect(
      requests.filter((request) => request.method === "DELETE").map((request) => request.path),
    ).toEqual([KILL_SWITCH]);
  });
});
