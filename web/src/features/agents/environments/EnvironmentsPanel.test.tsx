import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../../api/client";
import { fakeApi, json, noContent, page, problem } from "../../../test/fake-api";
import { agent, evalSuite, suiteSummary } from "../../../test/fixtures";
import { renderPage } from "../../../test/render";
import { EnvironmentsPanel } from "./EnvironmentsPanel";

const ENVIRONMENTS = "/api/v1/workspaces/ws_1/agents/agt_1/environments";
const SUITES = "/api/v1/workspaces/ws_1/agents/agt_1/eval-suites";

const SUMS = suiteSummary(evalSuite());
const GATE_REFUSAL =
  "Version 2 passes 75% of 'Sums', less than the 100% of the version 'production' runs now.";

type Environment = Schemas["EnvironmentOut"];

const AGENT: Schemas["AgentDetail"] = {
  ...agent(),
  definition: {
    instructions: "You review pull requests.",
    model: null,
    tools: [],
    mcp_servers: [],
    input_schema: null,
    output_schema: null,
  },
};

function environment(
  name: string,
  version: number,
  previous: number | null,
  overrides: Partial<Environment> = {},
): Environment {
  return {
    name,
    version,
    version_id: `agv_${version}`,
    previous_version: previous,
    updated_at: "2026-11-20T09:00:00Z",
    updated_by_user_id: "usr_1",
    gate_suite_id: null,
    gate_min_pass_rate: null,
    split_version: null,
    split_percent: 0,
    split_since: null,
    ...overrides,
  };
}

const DEVELOPMENT = environment("development", 3, null);
const PRODUCTION = environment("production", 1, 2);
const STAGING = environment("staging", 3, 2);

const SPLIT_SINCE = "2026-11-18T08:30:00Z";
const SPLIT_PRODUCTION = environment("production", 1, 2, {
  split_version: 3,
  split_percent: 20,
  split_since: SPLIT_SINCE,
});

function arm(version: number, overrides: Partial<Schemas["SplitArm"]> = {}): Schemas["SplitArm"] {
  return {
    version,
    share_percent: 0,
    runs: 0,
    finished: 0,
    succeeded: 0,
    success_rate: null,
    mean_latency_ms: null,
    mean_cost_usd: null,
    tokens_in: 0,
    tokens_out: 0,
    ...overrides,
  };
}

function splitResults(arms: Schemas["SplitArm"][]): Schemas["SplitResults"] {
  return { environment: "production", since: SPLIT_SINCE, arms };
}

/** A table's rows as the text of their cells, header row first. */
function rowsOf(table: HTMLElement) {
  return within(table)
    .getAllByRole("row")
    .map((row) => Array.from((row as HTMLTableRowElement).cells, (cell) => cell.textContent));
}

function renderPanel({ canWrite = true } = {}) {
  return renderPage(<EnvironmentsPanel workspaceId="ws_1" agent={AGENT} canWrite={canWrite} />, {
    path: "/w/ws_1/agents/agt_1",
  });
}

async function environmentList() {
  return screen.findByRole("list", { name: "Environments" });
}

function item(list: HTMLElement, name: string) {
  const found = within(list)
    .getAllByRole("listitem")
    .find((element) => element.textContent.startsWith(name));
  if (!found) {
    throw new Error(`No environment ${name} in the list.`);
  }
  return found;
}

function lists(requests: { method: string; path: string }[]) {
  return requests.filter((request) => request.method === "GET" && request.path === ENVIRONMENTS);
}

describe("EnvironmentsPanel", () => {
  it("lists each environment with its version, the one it ran before, and how to run it", async () => {
    fakeApi({ [`GET ${ENVIRONMENTS}`]: page([DEVELOPMENT, PRODUCTION, STAGING]) });
    renderPanel();
    expect(screen.getByRole("heading", { name: "Environments" })).toBeVisible();
    const list = await environmentList();
    expect(within(list).getAllByRole("listitem")).toHaveLength(3);

    const production = item(list, "production");
    expect(within(production).getByRole("link", { name: "v1" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1?to=1",
    );
    expect(production).toHaveTextContent("was v2");
    expect(production).toHaveTextContent(/updated/);
    const staging = item(list, "staging");
    expect(within(staging).getByRole("link", { name: "v3" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1?from=2&to=3",
    );
    expect(staging).toHaveTextContent("was v2");
    expect(item(list, "development")).not.toHaveTextContent("was");

    expect(screen.getByLabelText("Run it with")).toHaveValue("agt_1@production");
  });

  it("says when there are no environments yet", async () => {
    fakeApi({ [`GET ${ENVIRONMENTS}`]: page([]) });
    renderPanel();
    expect(
      await screen.findByText(
        "No environments yet. Pin production to a version so that edits reach it only when promoted.",
      ),
    ).toBeVisible();
    expect(screen.queryByRole("list", { name: "Environments" })).toBeNull();
  });

  it("sets an environment to the chosen version, then lists the environments again", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: [page([]), page([environment("staging", 2, null)])],
      [`PUT ${ENVIRONMENTS}/staging`]: json(environment("staging", 2, null)),
    });
    renderPanel();
    const form = screen.getByRole("form", { name: "Set environment" });
    expect(within(form).getByRole("combobox", { name: "Version" })).toHaveValue("3");
    await user.type(within(form).getByLabelText("Environment"), "staging");
    await user.selectOptions(within(form).getByRole("combobox", { name: "Version" }), "2");
    await user.click(within(form).getByRole("button", { name: "Set" }));

    expect(await screen.findByText("staging runs v2 now.")).toBeVisible();
    const puts = requests.filter((request) => request.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toBe(`${ENVIRONMENTS}/staging`);
    expect(puts[0]?.body).toEqual({ version: 2 });
    const list = await environmentList();
    expect(item(list, "staging")).toHaveTextContent("v2");
    expect(lists(requests)).toHaveLength(2);
  });

  it("shows the API's refusal of a version by the version field", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([]),
      [`PUT ${ENVIRONMENTS}/production`]: problem(
        422,
        "validation-failed",
        "The request has invalid fields.",
        { errors: [{ in: "body", pointer: "#/version", message: "No version 3 of this agent." }] },
      ),
    });
    renderPanel();
    const form = screen.getByRole("form", { name: "Set environment" });
    await user.type(within(form).getByLabelText("Environment"), "production");
    await user.click(within(form).getByRole("button", { name: "Set" }));

    const version = within(form).getByRole("combobox", { name: "Version" });
    await waitFor(() => {
      expect(version).toHaveAccessibleDescription("No version 3 of this agent.");
    });
    expect(version).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByRole("alert")).toHaveTextContent(
      "Please correct the highlighted fields.",
    );
  });

  it("promotes an environment from the one before it", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: [
        page([DEVELOPMENT, PRODUCTION, STAGING]),
        page([DEVELOPMENT, environment("production", 3, 1), STAGING]),
      ],
      [`POST ${ENVIRONMENTS}/production/promote`]: json(environment("production", 3, 1)),
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Promote production" }));

    const dialog = screen.getByRole("dialog", { name: "Promote to production" });
    expect(within(dialog).getByRole("combobox", { name: "From" })).toHaveValue("staging");
    expect(dialog).toHaveTextContent("staging runs v3 → production");
    await user.click(within(dialog).getByRole("button", { name: "Promote" }));

    expect(await screen.findByText("production runs v3 now, as staging does.")).toBeVisible();
    expect(screen.queryByRole("dialog")).toBeNull();
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]?.path).toBe(`${ENVIRONMENTS}/production/promote`);
    expect(posts[0]?.body).toEqual({ source: "staging" });
    await waitFor(() => {
      expect(item(list, "production")).toHaveTextContent("was v1");
    });
  });

  it("rolls back after confirmation, and offers it only with a version to go back to", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: [
        page([DEVELOPMENT, PRODUCTION]),
        page([DEVELOPMENT, environment("production", 2, 1)]),
      ],
      [`POST ${ENVIRONMENTS}/production/rollback`]: json(environment("production", 2, 1)),
    });
    renderPanel();
    const list = await environmentList();
    expect(
      within(item(list, "development")).queryByRole("button", { name: /Roll back/ }),
    ).toBeNull();
    await user.click(within(list).getByRole("button", { name: "Roll back to v2: production" }));

    const dialog = screen.getByRole("alertdialog", { name: "Roll back production to v2?" });
    await user.click(within(dialog).getByRole("button", { name: "Roll back to v2" }));

    expect(await screen.findByText("production is back on v2.")).toBeVisible();
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts.map((request) => request.path)).toEqual([`${ENVIRONMENTS}/production/rollback`]);
    expect(posts[0]?.body).toBeUndefined();
    await waitFor(() => {
      expect(item(list, "production")).toHaveTextContent("was v1");
    });
  });

  it("shows why a roll back was refused", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([PRODUCTION]),
      [`POST ${ENVIRONMENTS}/production/rollback`]: problem(
        409,
        "nothing-to-roll-back",
        "production has no earlier version to roll back to.",
      ),
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Roll back to v2: production" }));
    const dialog = screen.getByRole("alertdialog");
    await user.click(within(dialog).getByRole("button", { name: "Roll back to v2" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "production has no earlier version to roll back to.",
    );
  });

  it("deletes an environment after confirmation", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: [page([DEVELOPMENT, PRODUCTION]), page([PRODUCTION])],
      [`DELETE ${ENVIRONMENTS}/development`]: noContent(),
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Delete development" }));
    const dialog = screen.getByRole("alertdialog", { name: "Delete development?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete environment" }));

    expect(await screen.findByText("development is deleted.")).toBeVisible();
    expect(requests.filter((request) => request.method === "DELETE")).toHaveLength(1);
    await waitFor(() => {
      expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    });
  });

  it("shows a viewer the environments with no way to change them", async () => {
    const requests = fakeApi({ [`GET ${ENVIRONMENTS}`]: page([DEVELOPMENT, PRODUCTION]) });
    renderPanel({ canWrite: false });
    const list = await environmentList();
    expect(item(list, "production")).toHaveTextContent("was v2");
    expect(within(list).queryAllByRole("button")).toHaveLength(0);
    expect(screen.queryByRole("form", { name: "Set environment" })).toBeNull();
    expect(screen.getAllByRole("button").map((button) => button.textContent)).toEqual(["Copy"]);
    expect(requests.every((request) => request.method === "GET")).toBe(true);
  });

  it("shows each environment's release gate and traffic split", async () => {
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([
        environment("production", 1, 2, {
          gate_suite_id: "evs_1",
          gate_min_pass_rate: 0.9,
          split_version: 3,
          split_percent: 20,
        }),
        STAGING,
      ]),
      [`GET ${SUITES}`]: page([SUMS]),
    });
    renderPanel({ canWrite: false });
    const list = await environmentList();
    const production = item(list, "production");
    await waitFor(() => {
      expect(production).toHaveTextContent("Gate: Sums, at least 90%");
    });
    expect(within(production).getByRole("link", { name: "Sums" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1/evals?suite=evs_1",
    );
    expect(production).toHaveTextContent("Split: 20% of runs to v3");
    expect(item(list, "staging")).not.toHaveTextContent(/Gate|Split/);
  });

  it("gates an environment on a suite with a floor, and lifts the gate", async () => {
    const user = userEvent.setup();
    const gated = environment("production", 1, 2, {
      gate_suite_id: "evs_1",
      gate_min_pass_rate: 0.9,
    });
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: [page([PRODUCTION]), page([gated]), page([PRODUCTION])],
      [`GET ${SUITES}`]: page([SUMS]),
      [`PUT ${ENVIRONMENTS}/production/gate`]: [json(gated), json(PRODUCTION)],
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Gate production" }));
    let dialog = screen.getByRole("dialog", { name: "Release gate of production" });
    const suite = within(dialog).getByRole("combobox", { name: "Suite" });
    await waitFor(() => {
      expect(suite).toBeEnabled();
    });
    expect(within(dialog).getByRole("button", { name: "Lift gate" })).toBeDisabled();
    await user.selectOptions(suite, "Sums");
    await user.type(within(dialog).getByLabelText("Floor (%)"), "90");
    await user.click(within(dialog).getByRole("button", { name: "Save gate" }));

    expect(await screen.findByText("production is gated by Sums.")).toBeVisible();
    await waitFor(() => {
      expect(item(list, "production")).toHaveTextContent("Gate: Sums, at least 90%");
    });

    await user.click(within(list).getByRole("button", { name: "Gate production" }));
    dialog = screen.getByRole("dialog", { name: "Release gate of production" });
    expect(within(dialog).getByRole("combobox", { name: "Suite" })).toHaveValue("evs_1");
    expect(within(dialog).getByLabelText("Floor (%)")).toHaveValue(90);
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Suite" }), "No gate");
    await user.click(within(dialog).getByRole("button", { name: "Lift gate" }));

    expect(await screen.findByText("production has no release gate now.")).toBeVisible();
    const puts = requests.filter((request) => request.method === "PUT");
    expect(puts.map((request) => request.body)).toEqual([
      { suite_id: "evs_1", min_pass_rate: 0.9 },
      { suite_id: null, min_pass_rate: null },
    ]);
  });

  it("splits an environment's runs with another version, and ends the split", async () => {
    const user = userEvent.setup();
    const split = environment("production", 1, 2, { split_version: 3, split_percent: 20 });
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: [page([PRODUCTION]), page([split]), page([PRODUCTION])],
      [`PUT ${ENVIRONMENTS}/production/split`]: [json(split), json(PRODUCTION)],
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Split production" }));
    let dialog = screen.getByRole("dialog", { name: "Traffic split of production" });
    const version = within(dialog).getByRole("combobox", { name: "Version" });
    expect(
      within(version)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["No split", "v3 (current)", "v2"]);
    await user.selectOptions(version, "v3 (current)");
    const share = within(dialog).getByLabelText("Share of runs (%)");
    await user.clear(share);
    await user.type(share, "20");
    await user.click(within(dialog).getByRole("button", { name: "Save split" }));

    expect(await screen.findByText("20% of production's runs go to v3 now.")).toBeVisible();
    await waitFor(() => {
      expect(item(list, "production")).toHaveTextContent("Split: 20% of runs to v3");
    });

    await user.click(within(list).getByRole("button", { name: "Split production" }));
    dialog = screen.getByRole("dialog", { name: "Traffic split of production" });
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Version" }), "No split");
    await user.click(within(dialog).getByRole("button", { name: "End split" }));

    expect(await screen.findByText("production runs v1 only now.")).toBeVisible();
    const puts = requests.filter((request) => request.method === "PUT");
    expect(puts.map((request) => request.body)).toEqual([
      { version: 3, percent: 20 },
      { version: null, percent: 0 },
    ]);
  });

  it("shows a reader the results of a split's two versions side by side", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([SPLIT_PRODUCTION, STAGING]),
      [`GET ${ENVIRONMENTS}/production/split`]: json(
        splitResults([
          arm(1, {
            share_percent: 80,
            runs: 80,
            finished: 78,
            succeeded: 70,
            success_rate: 70 / 78,
            mean_latency_ms: 1250,
            mean_cost_usd: "0.01230000",
            tokens_in: 120000,
            tokens_out: 8000,
          }),
          arm(3, {
            share_percent: 20,
            runs: 20,
            finished: 19,
            succeeded: 18,
            success_rate: 18 / 19,
            mean_latency_ms: 840,
            mean_cost_usd: "0.00900000",
            tokens_in: 31000,
            tokens_out: 1900,
          }),
        ]),
      ),
    });
    renderPanel({ canWrite: false });
    const list = await environmentList();
    const production = item(list, "production");
    const toggle = within(production).getByRole("button", {
      name: "Results of production's split",
    });
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(requests.some((request) => request.path.endsWith("/split"))).toBe(false);

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const table = await within(production).findByRole("table");
    expect(rowsOf(table)).toEqual([
      ["Figure", "v1 (main)", "v3 (split)"],
      ["Share", "80%", "20%"],
      ["Runs", "80", "20"],
      ["Succeeded", "70 of 78", "18 of 19"],
      ["Success rate", "90%", "95%"],
      ["Mean latency", "1.3 s", "840 ms"],
      ["Mean cost", "$0.0123", "$0.009"],
      ["Tokens in / out", "120,000 / 8,000", "31,000 / 1,900"],
    ]);
    const since = within(production).getByText(
      (_, element) =>
        element?.tagName === "TIME" && element.getAttribute("dateTime") === SPLIT_SINCE,
    );
    expect(since.closest("h3")).toHaveTextContent(/^Results since /);
    expect(since).toHaveAttribute("title");
    expect(requests.filter((request) => request.path.endsWith("/split"))).toHaveLength(1);

    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(within(production).queryByRole("table")).toBeNull();
  });

  it("says when no run went through a split yet", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([SPLIT_PRODUCTION]),
      [`GET ${ENVIRONMENTS}/production/split`]: json(
        splitResults([arm(1, { share_percent: 80 }), arm(3, { share_percent: 20 })]),
      ),
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Results of production's split" }));
    expect(
      await within(list).findByText("No runs through production since the split began."),
    ).toBeVisible();
    expect(within(list).queryByRole("table")).toBeNull();
  });

  it("shows why a split's results could not be loaded", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([SPLIT_PRODUCTION]),
      [`GET ${ENVIRONMENTS}/production/split`]: problem(
        409,
        "conflict",
        "The environment 'production' has no traffic split.",
        { reason: "no-traffic-split" },
      ),
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Results of production's split" }));
    const alert = await within(list).findByRole("alert");
    expect(alert).toHaveTextContent("production has no traffic split now");
    expect(alert).toHaveTextContent("The environment 'production' has no traffic split.");
    expect(alert).toHaveTextContent("req_test");
  });

  it("offers no results for an environment without a split, and never asks for them", async () => {
    const requests = fakeApi({ [`GET ${ENVIRONMENTS}`]: page([PRODUCTION, STAGING]) });
    renderPanel();
    const list = await environmentList();
    expect(within(list).queryByRole("button", { name: /Results/ })).toBeNull();
    expect(within(list).queryByText("Results")).toBeNull();
    expect(requests.some((request) => request.path.endsWith("/split"))).toBe(false);
  });

  it("shows the release gate's verdict when it stops a promotion", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([
        STAGING,
        environment("production", 1, null, { gate_suite_id: "evs_1" }),
      ]),
      [`GET ${SUITES}`]: page([SUMS]),
      [`POST ${ENVIRONMENTS}/production/promote`]: problem(409, "conflict", GATE_REFUSAL, {
        reason: "eval-gate-failed",
      }),
    });
    renderPanel();
    const list = await environmentList();
    await user.click(within(list).getByRole("button", { name: "Promote production" }));
    const dialog = screen.getByRole("dialog", { name: "Promote to production" });
    await user.click(within(dialog).getByRole("button", { name: "Promote" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Stopped by the release gate");
    expect(alert).toHaveTextContent(GATE_REFUSAL);
    expect(within(alert).getByRole("link", { name: "Run an evaluation" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1/evals",
    );
    expect(screen.getByRole("dialog", { name: "Promote to production" })).toBeVisible();
  });

  it("shows the release gate's verdict when it stops setting a version", async () => {
    const user = userEvent.setup();
    fakeApi({
      [`GET ${ENVIRONMENTS}`]: page([]),
      [`PUT ${ENVIRONMENTS}/production`]: problem(409, "conflict", GATE_REFUSAL, {
        reason: "eval-gate-failed",
      }),
    });
    renderPanel();
    const form = screen.getByRole("form", { name: "Set environment" });
    await user.type(within(form).getByLabelText("Environment"), "production");
    await user.click(within(form).getByRole("button", { name: "Set" }));

    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent("Stopped by the release gate");
    expect(alert).toHaveTextContent(GATE_REFUSAL);
  });
});
