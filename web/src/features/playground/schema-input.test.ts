import { describe, expect, it } from "vitest";

import { buildInput, fieldsOf, initialInput, switchMode, type JsonSchema } from "./schema-input";

const review: JsonSchema = {
  type: "object",
  required: ["code", "language"],
  properties: {
    code: { type: "string", description: "The code to review." },
    language: { type: "string", enum: ["python", "typescript"] },
    max_findings: { type: "integer" },
    strict: { type: "boolean" },
    context: { type: "object" },
  },
};

describe("schema input", () => {
  it("makes a field of each top-level property, by kind", () => {
    expect(
      fieldsOf(review)?.map((field) => [field.name, field.label, field.kind, field.required]),
    ).toEqual([
      ["code", "Code", "long-text", true],
      ["language", "Language", "choice", true],
      ["max_findings", "Max findings", "integer", false],
      ["strict", "Strict", "boolean", false],
      ["context", "Context", "json", false],
    ]);
    expect(fieldsOf({ type: "array" })).toBeNull();
    expect(initialInput({ type: "array" }).mode).toBe("json");
  });

  it("builds the object, leaving out empty optional fields and typing numbers and JSON", () => {
    const state = initialInput(review);
    state.values = {
      ...state.values,
      code: "def f(): pass",
      max_findings: "3",
      context: '{"repo": "x"}',
    };
    expect(buildInput(review, state)).toEqual({
      ok: true,
      value: {
        code: "def f(): pass",
        language: "python",
        max_findings: 3,
        strict: false,
        context: { repo: "x" },
      },
    });
  });

  it("names each field that is missing or malformed", () => {
    const state = initialInput(review);
    state.values = { ...state.values, max_findings: "2.5", context: "{" };
    const built = buildInput(review, state);
    expect(built).toEqual({
      ok: false,
      message: "Correct the highlighted fields.",
      fields: { code: "Required.", max_findings: "A whole number.", context: "Not valid JSON." },
    });
  });

  it("carries what was typed between the form and JSON", () => {
    const form = initialInput(review);
    form.values = { ...form.values, code: "x = 1", strict: true };
    const json = switchMode(review, form, "json");
    expect(JSON.parse(json.json)).toEqual({ code: "x = 1", language: "python", strict: true });
    const edited = {
      ...json,
      json: '{"code": "y = 2", "language": "typescript", "max_findings": 4}',
    };
    const back = switchMode(review, edited, "form");
    expect(back.values).toMatchObject({ code: "y = 2", language: "typescript", max_findings: "4" });
    expect(buildInput(review, { ...json, json: "[1]" })).toEqual({
      ok: false,
      message: "The input must be a JSON object.",
      fields: {},
    });
  });
});
