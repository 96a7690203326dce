import { describe, expect, it } from "vitest";

import { pendingWork } from "./pending-work";
import { recordedRun, recordedSteps } from "./test-run";

const running = recordedRun({ status: "running", finished_at: null });

describe("what a running run is doing between its steps", () => {
  it("is a model request from the run's start, before any step", () => {
    expect(pendingWork(running, [])).toEqual({
      kind: "model",
      tools: [],
      since: running.started_at,
      afterStepId: null,
    });
  });

  it("is the tools a request called until each has returned", () => {
    // Steps 1-4: the first request, its thinking and two tool calls, no result yet.
    const called = recordedSteps.slice(0, 4);
    const pending = pendingWork(running, called);
    expect(pending?.kind).toBe("tools");
    expect(pending?.tools).toEqual(["search", "fetch"]);
    expect(pending?.afterStepId).toBe(called.at(-1)?.id);
    // One result back: the other tool still runs.
    expect(pendingWork(running, recordedSteps.slice(0, 5))?.tools).toEqual(["fetch"]);
  });

  it("is the next model request once every tool has returned, from the last result", () => {
    const answered = recordedSteps.slice(0, 6);
    const pending = pendingWork(running, answered);
    expect(pending?.kind).toBe("model");
    expect(pending?.since).toBe(answered.at(-1)?.ended_at);
  });

  it("is nothing once the run has answered, paused or ended", () => {
    expect(pendingWork(running, recordedSteps)).toBeNull();
    expect(pendingWork(recordedRun(), recordedSteps.slice(0, 2))).toBeNull();
    expect(pendingWork({ ...running, status: "waiting_approval" }, [])).toBeNull();
    expect(pendingWork({ ...running, status: "queued", started_at: null }, [])).toBeNull();
  });
});
