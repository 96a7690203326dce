import { describe, expect, it } from "vitest";

import { run } from "../../test/fixtures";
import { runAnswer } from "./run-format";

describe("a run's answer", () => {
  it("is its text, or else its structured output written out as JSON", () => {
    expect(runAnswer(run({ output: { text: "Looks good." } }))).toBe("Looks good.");
    expect(runAnswer(run({ output: { data: { verdict: "approve" } } }))).toBe(
      '{\n  "verdict": "approve"\n}',
    );
    expect(runAnswer(run({ output: { score: 3 } }))).toBe('{\n  "score": 3\n}');
  });

  it("is nothing while the run has not finished", () => {
    expect(runAnswer(run({ status: "running", output: null }))).toBeNull();
  });
});
