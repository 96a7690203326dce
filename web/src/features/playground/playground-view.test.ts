import { describe, expect, it } from "vitest";

import { agentChange, playgroundViewFromParams, writePlaygroundView } from "./playground-view";

describe("the playground's view in the address", () => {
  it("reads the agent, the thread, the mode and the compared sides", () => {
    const params = new URLSearchParams(
      "agent=agt_1&thread=run_1&mode=compare&left=2&right=draft&left_run=run_a&right_run=run_b",
    );
    expect(playgroundViewFromParams(params)).toEqual({
      agent: "agt_1",
      thread: "run_1",
      mode: "compare",
      left: 2,
      right: "draft",
      leftRun: "run_a",
      rightRun: "run_b",
    });
  });

  it("ignores what it does not understand", () => {
    const params = new URLSearchParams("agent=../x&thread=&mode=other&left=0&right=v1");
    expect(playgroundViewFromParams(params)).toEqual({
      agent: null,
      thread: null,
      mode: "chat",
      left: null,
      right: null,
      leftRun: null,
      rightRun: null,
    });
  });

  it("writes changes, leaving out defaults; another agent starts afresh", () => {
    const params = new URLSearchParams("agent=agt_1&thread=run_1&left=2&other=kept");
    writePlaygroundView(params, { mode: "compare" });
    expect(params.toString()).toBe("agent=agt_1&thread=run_1&left=2&other=kept&mode=compare");
    writePlaygroundView(params, { ...agentChange("agt_2"), mode: "chat" });
    expect(params.toString()).toBe("agent=agt_2&other=kept");
  });
});
