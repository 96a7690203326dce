import { describe, expect, it } from "vitest";

import { ApiProblem } from "../../../api/client";
import { agent } from "../../../test/fixtures";
import { fieldAt, parseAdvanced, saveFailure, saveRequest, valuesOf } from "./editor-form";
import { comparisonFromParams, writeComparison } from "./version-view";

const detail = {
  ...agent(),
  definition: {
    instructions: "Review.",
    model: {
      provider_id: "prv_1",
      model: "claude-test",
      settings: { temperature: 0.2, top_p: null, max_tokens: null, thinking_budget: null },
    },
    tools: [],
    mcp_servers: [],
    input_schema: null,
    output_schema: null,
  },
};

describe("saveRequest", () => {
  const saved = valuesOf(detail);

  it("sends nothing but the expected version when nothing changed", () => {
    expect(saveRequest(saved, saved, 3)).toEqual({ ok: true, body: { expected_version: 3 } });
  });

  it("sends the whole definition when a model setting changed", () => {
    const request = saveRequest(saved, { ...saved, temperature: "0.7", maxTokens: "800" }, 3);
    expect(request).toEqual({
      ok: true,
      body: {
        expected_version: 3,
        definition: {
          instructions: "Review.",
          model: {
            provider_id: "prv_1",
            model: "claude-test",
            settings: { temperature: 0.7, top_p: null, max_tokens: 800, thinking_budget: null },
          },
          tools: [],
          mcp_servers: [],
          input_schema: null,
          output_schema: null,
        },
      },
    });
  });

  it("drops the model for the workspace default, and splits tags", () => {
    const request = saveRequest(saved, { ...saved, providerId: "", tags: " a, b ,," }, 3);
    expect(request.ok && request.body.definition?.model).toBeNull();
    expect(request.ok && request.body.tags).toEqual(["a", "b"]);
  });

  it("does not count reformatted advanced JSON as a change", () => {
    const advanced = '{"output_schema": null, "input_schema": null, "mcp_servers": []}';
    expect(saveRequest(saved, { ...saved, advanced }, 3)).toEqual({
      ok: true,
      body: { expected_version: 3 },
    });
  });

  it("names the fields that cannot be saved", () => {
    const request = saveRequest(
      saved,
      { ...saved, name: "  ", instructions: "", model: "", temperature: "warm" },
      3,
    );
    expect(request.ok).toBe(false);
    expect(!request.ok && Object.keys(request.errors).sort()).toEqual([
      "instructions",
      "model",
      "name",
      "temperature",
    ]);
  });
});

function problem(status: number, code: string, extra: Record<string, unknown> = {}) {
  return new ApiProblem({
    type: `urn:luna:problem:${code}`,
    title: "Refused",
    status,
    detail: `The save was refused (${code}).`,
    request_id: "req_1",
    ...extra,
  });
}

describe("saveFailure", () => {
  it("tells someone else's version apart, with nothing else to show", () => {
    const failure = saveFailure(problem(409, "conflict"));
    expect(failure.conflict).toBeInstanceOf(ApiProblem);
    expect(failure.planLimit).toBeNull();
    expect(failure.errors).toEqual({ fields: {}, message: null, requestId: null });
  });

  it("tells the plan's limit apart, with nothing else to show", () => {
    const failure = saveFailure(
      problem(402, "entitlement-exceeded:agents", { limit: 3, current: 3, upgrade_plan: "growth" }),
    );
    expect(failure.conflict).toBeNull();
    expect(failure.planLimit).toEqual({
      message: "The save was refused (entitlement-exceeded:agents).",
      limit: 3,
      current: 3,
      upgradePlan: "growth",
    });
    expect(failure.errors.message).toBeNull();
  });

  it("places any other problem by field and above the form", () => {
    const failure = saveFailure(
      problem(422, "validation-failed", {
        errors: [{ in: "body", pointer: "#/name", message: "Too long." }],
      }),
    );
    expect(failure.conflict).toBeNull();
    expect(failure.planLimit).toBeNull();
    expect(failure.errors.fields).toEqual({ name: "Too long." });
  });

  it("shows nothing before a save fails", () => {
    expect(saveFailure(null)).toEqual({
      conflict: null,
      planLimit: null,
      errors: { fields: {}, message: null, requestId: null },
    });
  });
});

describe("parseAdvanced", () => {
  it("accepts the definition's advanced fields and nothing else", () => {
    expect(parseAdvanced("{}")).toEqual({
      fields: { mcp_servers: [], input_schema: null, output_schema: null },
    });
    expect(parseAdvanced('{"instructions": "x"}')).toEqual({
      error: "Only mcp_servers, input_schema and output_schema belong here, not instructions.",
    });
    expect(parseAdvanced("[]")).toEqual({ error: "Write a JSON object, such as {}." });
    expect(parseAdvanced('{"mcp_servers": {}}')).toEqual({ error: "mcp_servers must be a list." });
    expect(parseAdvanced('{"input_schema": 3}')).toHaveProperty("error");
    expect(parseAdvanced("{")).toHaveProperty(
      "error",
      expect.stringMatching(/^This is not valid JSON/),
    );
  });
});

describe("fieldAt", () => {
  it("finds the form field of a pointer into the PATCH body", () => {
    expect(fieldAt("#/name")).toBe("name");
    expect(fieldAt("#/tags/2")).toBe("tags");
    expect(fieldAt("#/definition/instructions")).toBe("instructions");
    expect(fieldAt("#/definition/model/provider_id")).toBe("providerId");
    expect(fieldAt("#/definition/model/settings/top_p")).toBe("topP");
    expect(fieldAt("#/definition/model/model")).toBe("model");
    expect(fieldAt("#/definition/tools/0/name")).toBe("tools");
    expect(fieldAt("#/definition/mcp_servers/0/transport")).toBe("advanced");
    expect(fieldAt("#/definition")).toBeNull();
    expect(fieldAt("#/expected_version")).toBeNull();
  });
});

describe("comparisonFromParams", () => {
  it("compares the previous version with the current one by default", () => {
    expect(comparisonFromParams(new URLSearchParams(), 5)).toEqual({ from: 4, to: 5 });
    expect(comparisonFromParams(new URLSearchParams(), 1)).toEqual({ from: null, to: 1 });
  });

  it("reads the address, ignoring versions that do not exist", () => {
    expect(comparisonFromParams(new URLSearchParams("from=2&to=4"), 5)).toEqual({
      from: 2,
      to: 4,
    });
    expect(comparisonFromParams(new URLSearchParams("from=9&to=x"), 5)).toEqual({
      from: 4,
      to: 5,
    });
    expect(comparisonFromParams(new URLSearchParams("to=3"), 5)).toEqual({ from: 2, to: 3 });
  });

  it("writes both versions, keeping other parameters", () => {
    const params = writeComparison(new URLSearchParams("tab=x"), { from: 1, to: 3 });
    expect(params.toString()).toBe("tab=x&from=1&to=3");
  });
});
