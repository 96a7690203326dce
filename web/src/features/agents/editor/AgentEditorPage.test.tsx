import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Outlet } from "react-router";
import { describe, expect, it } from "vitest";

import type { Schemas } from "../../../api/client";
import { fakeApi, json, problem, page } from "../../../test/fake-api";
import { agent, me } from "../../../test/fixtures";
import { renderRoutes } from "../../../test/render";
import type { CurrentWorkspace } from "../../shell/use-current-workspace";
import { AgentEditorPage } from "./AgentEditorPage";

const AGENT = "/api/v1/workspaces/ws_1/agents/agt_1";
const VERSIONS = `${AGENT}/versions`;
const PROVIDERS = "/api/v1/workspaces/ws_1/providers";
const MEMBERS = "/api/v1/teams/team_1/members";

type Definition = Schemas["AgentDefinition"];

const team = me.teams[0];
if (!team) {
  throw new Error("The fixture has a team.");
}

function workspaceAs(role: string): CurrentWorkspace {
  const workspace = team?.workspaces[0];
  if (!team || !workspace) {
    throw new Error("The fixture has a workspace.");
  }
  return { team: { ...team, role }, workspace };
}

const INSTRUCTIONS_V2 = "You review pull requests.\nBe brief.\nPraise good tests.";
const INSTRUCTIONS_V3 = "You review pull requests.\nBe thorough.\nPraise good tests.";

function definition(overrides: Partial<Definition> = {}): Definition {
  return {
    instructions: INSTRUCTIONS_V3,
    model: null,
    tools: [{ name: "http_fetch", requires_approval: false }],
    mcp_servers: [],
    input_schema: null,
    output_schema: null,
    ...overrides,
  };
}

function agentDetail(overrides: Partial<Schemas["AgentDetail"]> = {}): Schemas["AgentDetail"] {
  return { ...agent(), definition: definition(), ...overrides };
}

function version(number: number, overrides: Partial<Schemas["AgentVersionDetail"]> = {}) {
  return {
    id: `agv_${number}`,
    agent_id: "agt_1",
    number,
    created_by_user_id: "usr_1",
    created_at: `2026-11-${10 + number}T09:00:00Z`,
    definition: definition({ instructions: number === 3 ? INSTRUCTIONS_V3 : INSTRUCTIONS_V2 }),
    ...overrides,
  };
}

function versionList(numbers: number[]) {
  return json({
    items: numbers.map((number) => {
      const { id, agent_id, created_by_user_id, created_at } = version(number);
      return { id, agent_id, number, created_by_user_id, created_at };
    }),
    next_cursor: null,
  });
}

const member = {
  id: "mem_1",
  user_id: "usr_1",
  display_name: "Ada Lovelace",
  email: "ada@example.com",
  role: "owner",
  joined_at: "2026-11-01T09:00:00Z",
};

/** The answers of an agent at version 3 with its versions 1 to 3. */
function agentAnswers(overrides: Record<string, Response | Response[]> = {}) {
  return {
    [`GET ${AGENT}`]: json(agentDetail()),
    [`GET ${VERSIONS}`]: versionList([3, 2, 1]),
    [`GET ${VERSIONS}/1`]: json(version(1)),
    [`GET ${VERSIONS}/2`]: json(version(2)),
    [`GET ${VERSIONS}/3`]: json(version(3)),
    [`GET ${PROVIDERS}`]: json({ items: [], next_cursor: null }),
    [`GET ${MEMBERS}`]: page([member]),
    [`GET ${AGENT}/environments`]: json({ items: [], next_cursor: null }),
    ...overrides,
  };
}

function renderEditor({ role = "owner", url = "/w/ws_1/agents/agt_1" } = {}) {
  return renderRoutes(
    [
      {
        path: "/w/:workspaceId",
        element: <Outlet context={workspaceAs(role)} />,
        children: [
          { path: "agents/:agentId", element: <AgentEditorPage /> },
          { path: "agents", element: <h1>Agents</h1> },
          { path: "billing", element: <h1>Billing</h1> },
        ],
      },
    ],
    url,
  );
}

/** The line under the page's title: status, version, last change. */
function summary() {
  const heading = screen.getByRole("heading", { level: 1 });
  const header = heading.parentElement;
  if (!header) {
    throw new Error("The title has a header.");
  }
  return within(header);
}

async function editor() {
  return screen.findByRole("form", { name: "Agent" });
}

function patches(requests: { method: string; path: string; body: unknown }[]) {
  return requests.filter((request) => request.method === "PATCH" && request.path === AGENT);
}

describe("AgentEditorPage", () => {
  it("shows the agent with its status, version and definition, titled by its name", async () => {
    fakeApi(agentAnswers());
    renderEditor();
    expect(await screen.findByRole("heading", { level: 1, name: "Code reviewer" })).toBeVisible();
    await waitFor(() => {
      expect(document.title).toBe("Code reviewer · Agents · Luna");
    });
    const form = await editor();
    expect(within(form).getByLabelText("Name")).toHaveValue("Code reviewer");
    expect(within(form).getByLabelText("Instructions")).toHaveValue(INSTRUCTIONS_V3);
    expect(within(form).getByRole("combobox", { name: "Status" })).toHaveValue("active");
    expect(within(form).getByRole("checkbox", { name: "HTTP fetch" })).toBeChecked();
    expect(within(form).getByRole("checkbox", { name: "Calculator" })).not.toBeChecked();
    expect(summary().getByText("Version 3")).toBeVisible();
    expect(summary().getByText("Active")).toBeVisible();
    expect(within(form).getByRole("button", { name: "Save changes" })).toBeDisabled();
    expect(within(form).getByRole("button", { name: "Discard" })).toBeDisabled();
    expect(screen.getByRole("link", { name: "Evaluations" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents/agt_1/evals",
    );
  });

  it("saves edited instructions as a new version, sending the version they were based on", async () => {
    const user = userEvent.setup();
    const saved = agentDetail({
      current_version: 4,
      definition: definition({ instructions: "Review with care." }),
    });
    const requests = fakeApi(agentAnswers({ [`PATCH ${AGENT}`]: json(saved) }));
    renderEditor();
    const form = await editor();
    const instructions = within(form).getByLabelText("Instructions");
    await user.clear(instructions);
    await user.type(instructions, "Review with care.");
    expect(within(form).getByText("Unsaved changes: saving makes version 4.")).toBeVisible();
    await user.click(within(form).getByRole("button", { name: "Save changes" }));

    expect(
      await within(form).findByText("Saved as version 4, which the agent runs from now on."),
    ).toBeVisible();
    expect(patches(requests)).toHaveLength(1);
    expect(patches(requests)[0]?.body).toEqual({
      expected_version: 3,
      definition: {
        instructions: "Review with care.",
        model: null,
        tools: [{ name: "http_fetch", requires_approval: false }],
        mcp_servers: [],
        input_schema: null,
        output_schema: null,
      },
    });
    expect(summary().getByText("Version 4")).toBeVisible();
    expect(within(form).getByRole("button", { name: "Save changes" })).toBeDisabled();
  });

  it("sends only the changed fields, and discards edits on request", async () => {
    const user = userEvent.setup();
    const requests = fakeApi(
      agentAnswers({ [`PATCH ${AGENT}`]: json(agentDetail({ name: "Reviewer" })) }),
    );
    renderEditor();
    const form = await editor();
    const name = within(form).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Nobody");
    await user.click(within(form).getByRole("button", { name: "Discard" }));
    expect(name).toHaveValue("Code reviewer");
    expect(within(form).getByText("No unsaved changes.")).toBeInTheDocument();

    await user.clear(name);
    await user.type(name, "Reviewer");
    await user.click(within(form).getByRole("checkbox", { name: "Calculator" }));
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    await within(form).findByText(/Saved/);
    const body = patches(requests)[0]?.body as Schemas["AgentUpdate"];
    expect(body.name).toBe("Reviewer");
    expect(body.expected_version).toBe(3);
    expect(body.definition?.tools).toEqual([
      { name: "http_fetch", requires_approval: false },
      { name: "calculator", requires_approval: false },
    ]);
    expect(body).not.toHaveProperty("status");
    expect(body).not.toHaveProperty("description");
  });

  it("says when someone else changed the agent, and reloads it", async () => {
    const user = userEvent.setup();
    const newer = agentDetail({
      current_version: 5,
      definition: definition({ instructions: "Their instructions." }),
    });
    const requests = fakeApi(
      agentAnswers({
        [`GET ${AGENT}`]: [json(agentDetail()), json(newer)],
        [`PATCH ${AGENT}`]: problem(
          409,
          "conflict",
          "The agent is at version 5, not 3: someone changed it since you loaded it.",
          { current_version: 5 },
        ),
      }),
    );
    renderEditor();
    const form = await editor();
    await user.type(within(form).getByLabelText("Instructions"), " Mine.");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));

    expect(await within(form).findByText("This agent was changed by someone else")).toBeVisible();
    await user.click(within(form).getByRole("button", { name: "Reload the agent" }));
    await waitFor(() => {
      expect(within(form).getByLabelText("Instructions")).toHaveValue("Their instructions.");
    });
    expect(within(form).queryByText("This agent was changed by someone else")).toBeNull();
    expect(summary().getByText("Version 5")).toBeVisible();
    expect(patches(requests)[0]?.body).toMatchObject({ expected_version: 3 });
  });

  it("shows the API's field errors by their fields", async () => {
    const user = userEvent.setup();
    fakeApi(
      agentAnswers({
        [`PATCH ${AGENT}`]: problem(422, "validation-failed", "The request has invalid fields.", {
          errors: [
            { in: "body", pointer: "#/tags/0", message: "String should match pattern" },
            {
              in: "body",
              pointer: "#/definition/instructions",
              message: "String should have at least 1 character",
            },
          ],
        }),
      }),
    );
    renderEditor();
    const form = await editor();
    await user.type(within(form).getByLabelText(/^Tags/), ", Not A Slug");
    await user.type(within(form).getByLabelText("Instructions"), " ");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(await within(form).findByText("String should have at least 1 character")).toBeVisible();
    expect(within(form).getByLabelText("Instructions")).toHaveAccessibleDescription(
      /at least 1 character/,
    );
    expect(within(form).getByLabelText(/^Tags/)).toHaveAccessibleDescription(/match pattern/);
    expect(within(form).getByRole("alert")).toHaveTextContent(
      "Please correct the highlighted fields.",
    );
  });

  it("refuses advanced JSON that does not parse, without sending it", async () => {
    const user = userEvent.setup();
    const requests = fakeApi(agentAnswers());
    renderEditor();
    const form = await editor();
    const advanced = within(form).getByLabelText("Advanced definition (JSON)");
    await user.clear(advanced);
    await user.type(advanced, "{{ broken");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(advanced).toHaveAccessibleDescription(/This is not valid JSON/);
    expect(patches(requests)).toHaveLength(0);
  });

  it("shows the plan limit, with a link to upgrade, when activating an agent is refused", async () => {
    const user = userEvent.setup();
    const requests = fakeApi(
      agentAnswers({
        [`GET ${AGENT}`]: json(agentDetail({ status: "archived" })),
        [`PATCH ${AGENT}`]: problem(
          402,
          "entitlement-exceeded:active-agents",
          "The Starter plan allows 3 active agents.",
          { limit: 3, current: 3, upgrade_plan: "growth" },
        ),
      }),
    );
    const { router } = renderEditor();
    const form = await editor();
    await user.selectOptions(within(form).getByRole("combobox", { name: "Status" }), "Active");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(await within(form).findByText("The Starter plan allows 3 active agents.")).toBeVisible();
    expect(within(form).getByText("In use: 3 of 3.")).toBeVisible();
    expect(patches(requests)[0]?.body).toEqual({ expected_version: 3, status: "active" });
    await user.click(within(form).getByRole("link", { name: "Upgrade to Growth" }));
    expect(router.state.location.pathname).toBe("/w/ws_1/billing");
  });

  it("compares the previous version with the current one, line by line", async () => {
    fakeApi(agentAnswers());
    renderEditor();
    const history = await screen.findByRole("region", { name: "Version history" });
    expect(await within(history).findByText("Changes from version 2 to version 3")).toBeVisible();
    const table = await within(history).findByRole("table", {
      name: "Instructions: changes from version 2 to version 3",
    });
    const rows = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) => row.textContent);
    expect(rows).toEqual([
      "11 UnchangedYou review pull requests.",
      "2−RemovedBe brief.",
      "2+AddedBe thorough.",
      "33 UnchangedPraise good tests.",
    ]);
    expect(within(history).getByText("1 line added, 1 line removed")).toBeVisible();
    expect(within(history).getByText("No changes")).toBeVisible();

    const versions = within(history).getByRole("list", { name: "Versions, newest first" });
    const items = within(versions).getAllByRole("listitem");
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent("Version 3");
    expect(items[0]).toHaveTextContent("Current");
    expect(items[0]).toHaveTextContent("by Ada Lovelace");
  });

  it("keeps the compared versions in the address", async () => {
    const user = userEvent.setup();
    fakeApi(
      agentAnswers({
        [`GET ${VERSIONS}/1`]: json(
          version(1, { definition: definition({ instructions: "First draft." }) }),
        ),
      }),
    );
    const { router } = renderEditor({ url: "/w/ws_1/agents/agt_1?from=1&to=2" });
    const history = await screen.findByRole("region", { name: "Version history" });
    expect(await within(history).findByText("Changes from version 1 to version 2")).toBeVisible();
    expect(within(history).getByRole("combobox", { name: "Compare version" })).toHaveValue("1");
    expect(within(history).getByRole("combobox", { name: "with version" })).toHaveValue("2");
    const table = await within(history).findByRole("table", { name: /^Instructions/ });
    expect(table).toHaveTextContent("−RemovedFirst draft.");

    await user.selectOptions(within(history).getByRole("combobox", { name: "with version" }), "3");
    expect(router.state.location.search).toBe("?from=1&to=3");
    await user.click(within(history).getByRole("button", { name: "Show changes of version 2" }));
    expect(router.state.location.search).toBe("?from=1&to=2");
    expect(await within(history).findByText("Changes from version 1 to version 2")).toBeVisible();
  });

  it("restores a version after confirmation, then edits the new current version", async () => {
    const user = userEvent.setup();
    const restored = agentDetail({
      current_version: 4,
      definition: definition({ instructions: INSTRUCTIONS_V2 }),
    });
    const requests = fakeApi(
      agentAnswers({
        [`POST ${VERSIONS}/2/restore`]: json(restored),
        [`GET ${VERSIONS}`]: [versionList([3, 2, 1]), versionList([4, 3, 2, 1])],
        [`GET ${VERSIONS}/4`]: json(
          version(4, { definition: definition({ instructions: INSTRUCTIONS_V2 }) }),
        ),
      }),
    );
    const { router } = renderEditor();
    const history = await screen.findByRole("region", { name: "Version history" });
    await user.click(await within(history).findByRole("button", { name: "Restore version 2" }));
    const dialog = screen.getByRole("alertdialog", { name: "Restore version 2?" });
    expect(dialog).toHaveTextContent("Its definition becomes version 4");
    await user.click(within(dialog).getByRole("button", { name: "Restore version 2" }));

    expect(
      await screen.findByText(
        "Version 2 is restored as version 4, which the agent runs from now on.",
      ),
    ).toBeVisible();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
    expect(summary().getByText("Version 4")).toBeVisible();
    expect(within(await editor()).getByLabelText("Instructions")).toHaveValue(INSTRUCTIONS_V2);
    expect(router.state.location.search).toBe("?from=3&to=4");
    await waitFor(() => {
      expect(within(history).getAllByRole("listitem")).toHaveLength(4);
    });
  });

  it("shows a viewer everything, read-only, with no way to save or restore", async () => {
    const requests = fakeApi(agentAnswers());
    renderEditor({ role: "viewer" });
    const form = await editor();
    expect(within(form).getByText(/read-only access/)).toBeVisible();
    expect(within(form).getByLabelText("Instructions")).toHaveAttribute("readonly");
    expect(within(form).getByLabelText("Name")).toHaveAttribute("readonly");
    expect(within(form).getByRole("combobox", { name: "Status" })).toBeDisabled();
    expect(within(form).getByRole("list", { name: "Tools the agent may call" })).toHaveTextContent(
      "HTTP fetch",
    );
    expect(within(form).queryByRole("button", { name: "Save changes" })).toBeNull();
    expect(within(form).queryByRole("button", { name: "Discard" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Delete agent" })).toBeNull();
    const history = screen.getByRole("region", { name: "Version history" });
    expect(await within(history).findAllByRole("listitem")).toHaveLength(3);
    expect(within(history).queryByRole("button", { name: /Restore/ })).toBeNull();
    expect(requests.every((request) => request.method === "GET")).toBe(true);
  });

  it("says when the agent does not exist", async () => {
    fakeApi({ [`GET ${AGENT}`]: problem(404, "not-found", "No agent agt_1 in this workspace.") });
    renderEditor();
    expect(await screen.findByRole("alert")).toHaveTextContent("This agent does not exist");
    expect(screen.getByRole("link", { name: "All agents" })).toHaveAttribute(
      "href",
      "/w/ws_1/agents",
    );
  });
});
