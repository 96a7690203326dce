import { describe, expect, it } from "vitest";

import { run } from "../../test/fixtures";
import { firstLine, runAnswer, runInputLine } from "./run-format";

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

describe("a run's input in a list", () => {
  it("is the prompt, or the fields of structured input on one line", () => {
    expect(runInputLine("Review\n  PR 42")).toBe("Review PR 42");
    expect(runInputLine({ repository: "luna", pull: 42, labels: ["a"] })).toBe(
      'repository: luna · pull: 42 · labels: ["a"]',
    );
  });

  it("is cut at its first line and a length, with an ellipsis", () => {
    expect(firstLine("One line\nand another")).toBe("One line");
    expect(firstLine("x".repeat(100), 10)).toBe("xxxxxxxxx…");
  });
});
