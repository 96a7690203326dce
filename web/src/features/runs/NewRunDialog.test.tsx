import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json } from "../../test/fake-api";
import { agent, run } from "../../test/fixtures";
import { renderRoutes } from "../../test/render";
import { NewRunDialog } from "./NewRunDialog";

const WS = "/api/v1/workspaces/ws_1";

function definition(inputSchema: Record<string, unknown> | null = null) {
  return {
    instructions: "Review.",
    model: null,
    tools: [],
    mcp_servers: [],
    input_schema: inputSchema,
    output_schema: null,
  };
}

function renderDialog(agents = [{ id: "agt_1", name: "Code reviewer" }]) {
  return renderRoutes(
    [
      {
        path: "/",
        element: <NewRunDialog workspaceId="ws_1" open onClose={() => undefined} agents={agents} />,
      },
      { path: "/w/:workspaceId/runs/:runId", element: <h1>The run</h1> },
    ],
    "/",
  );
}

describe("NewRunDialog", () => {
  it("runs the chosen agent on a text and opens the run", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      [`GET ${WS}/agents/agt_2`]: json({
        ...agent({ id: "agt_2", name: "Planner" }),
        definition: definition(),
      }),
      [`GET ${WS}/agents/agt_1`]: json({ ...agent(), definition: definition() }),
      [`POST ${WS}/agents/agt_2/runs`]: json(run({ id: "run_9", status: "queued" }), 202),
    });
    const { router } = renderDialog([
      { id: "agt_1", name: "Code reviewer" },
      { id: "agt_2", name: "Planner" },
    ]);
    await user.selectOptions(screen.getByLabelText("Agent"), "agt_2");
    await user.type(await screen.findByLabelText("What should Planner do?"), "Plan the release");
    await user.click(screen.getByRole("button", { name: "Run" }));

    expect(await screen.findByRole("heading", { name: "The run" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1/runs/run_9");
    const posted = requests.filter((request) => request.method === "POST");
    expect(posted.map((request) => request.body)).toEqual([
      { input: "Plan the release", mode: "background" },
    ]);
  });

  it("takes an agent's structured input from the form of its schema", async () => {
    const user = userEvent.setup();
    const schema = {
      type: "object",
      required: ["ticket"],
      properties: { ticket: { type: "string", maxLength: 40 }, urgent: { type: "boolean" } },
    };
    const requests = fakeApi({
      [`GET ${WS}/agents/agt_1`]: json({ ...agent(), definition: definition(schema) }),
      [`POST ${WS}/agents/agt_1/runs`]: json(run({ id: "run_3", status: "queued" }), 202),
    });
    renderDialog();
    await user.type(await screen.findByLabelText("Ticket"), "LUNA-42");
    await user.click(screen.getByLabelText("Urgent"));
    await user.click(screen.getByRole("button", { name: "Run" }));

    await waitFor(() => {
      expect(requests.filter((request) => request.method === "POST")).toHaveLength(1);
    });
    expect(requests.find((request) => request.method === "POST")?.body).toEqual({
      input: { ticket: "LUNA-42", urgent: true },
      mode: "background",
    });
  });
});
