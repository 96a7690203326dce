import { describe, expect, it } from "vitest";

import type { Schemas } from "../../api/client";
import { agent } from "../../test/fixtures";
import { valuesOf } from "../agents/editor/editor-form";
import { draftOf, draftRunFields } from "./draft";

const saved = valuesOf({
  ...agent(),
  definition: {
    instructions: "You review pull requests.",
    model: { provider_id: "prv_1", model: "gpt-test", settings: {} },
    tools: [
      { name: "calculator", requires_approval: true },
      { name: "http_fetch", requires_approval: false },
    ],
    mcp_servers: [],
    input_schema: null,
    output_schema: { type: "object" },
  },
} satisfies Schemas["AgentDetail"]);

describe("draftOf", () => {
  it("is the saved version while nothing that runs has changed", () => {
    expect(draftOf(saved, { ...saved }, 3)).toEqual({ state: "saved" });
    // The order tools are listed in changes nothing.
    const reordered = { ...saved, tools: [...saved.tools].reverse() };
    expect(draftOf(saved, reordered, 3)).toEqual({ state: "saved" });
    expect(draftRunFields(draftOf(saved, reordered, 3))).toEqual({});
  });

  it("runs and saves the whole edited definition, based on the version it was edited from", () => {
    const values = { ...saved, instructions: "Be brief.", tools: saved.tools.slice(1) };
    const draft = draftOf(saved, values, 3);
    const definition = {
      instructions: "Be brief.",
      model: {
        provider_id: "prv_1",
        model: "gpt-test",
        settings: { temperature: null, top_p: null, max_tokens: null, thinking_budget: null },
      },
      tools: [{ name: "http_fetch", requires_approval: false }],
      mcp_servers: [],
      input_schema: null,
      output_schema: { type: "object" },
    };
    expect(draft).toEqual({
      state: "changed",
      definition,
      save: { expected_version: 3, definition },
    });
    expect(draftRunFields(draft)).toEqual({ draft: definition });
  });

  it("counts a changed approval or model as a change", () => {
    const approvals = saved.tools.map((tool) => ({ ...tool, requires_approval: false }));
    expect(draftOf(saved, { ...saved, tools: approvals }, 3).state).toBe("changed");
    expect(draftOf(saved, { ...saved, model: "gpt-other" }, 3).state).toBe("changed");
    expect(draftOf(saved, { ...saved, temperature: "0.2" }, 3)).toMatchObject({
      definition: { model: { settings: { temperature: 0.2 } } },
    });
  });

  it("cannot run a draft without instructions or a model's name", () => {
    expect(draftOf(saved, { ...saved, instructions: "  " }, 3)).toEqual({
      state: "invalid",
      errors: { instructions: "Write the agent's instructions." },
    });
    const unnamed = draftOf(saved, { ...saved, model: "" }, 3);
    expect(unnamed).toEqual({
      state: "invalid",
      errors: { model: "Name the model this provider runs." },
    });
    expect(draftRunFields(unnamed)).toEqual({});
  });
});
