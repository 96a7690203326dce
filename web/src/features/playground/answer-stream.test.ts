import { describe, expect, it } from "vitest";

import { run } from "../../test/fixtures";
import { inputText, noAnswerYet, shownAnswer, withDelta } from "./answer-stream";

const text = (request: number, fragment: string) =>
  ({ request, part: 0, kind: "text", text: fragment }) as const;

describe("the streamed answer", () => {
  it("joins the text fragments of a request and leaves thinking out", () => {
    let answer = noAnswerYet("run_1");
    answer = withDelta(answer, { request: 1, part: 0, kind: "thinking", text: "Hmm." });
    answer = withDelta(answer, text(1, "Forty"));
    answer = withDelta(answer, text(1, "-two."));
    expect(answer).toEqual({ runId: "run_1", request: 1, text: "Forty-two." });
  });

  it("starts again with the text of the next model request", () => {
    let answer = withDelta(noAnswerYet("run_1"), text(1, "Let me compute."));
    answer = withDelta(answer, text(2, "42"));
    expect(answer.text).toBe("42");
  });

  it("shows the stored answer once there is one, else the streamed text", () => {
    const running = run({ status: "running", output: null });
    expect(shownAnswer(running, "")).toBeNull();
    expect(shownAnswer(running, "Forty")).toBe("Forty");
    expect(shownAnswer(run({ output: { text: "42." } }), "Forty")).toBe("42.");
    expect(shownAnswer(run({ output: { data: { answer: 42 } } }), "")).toBe(
      JSON.stringify({ answer: 42 }, null, 2),
    );
  });

  it("reads an input as text, or as JSON", () => {
    expect(inputText("Hello")).toBe("Hello");
    expect(inputText({ pr: 42 })).toBe('{\n  "pr": 42\n}');
  });
});
