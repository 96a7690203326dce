import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Run } from "./graph-model";
import { useRunEvents } from "./run-events";
import { recordedRun, recordedStep } from "./test-run";

/** The browser's EventSource, driven by the test. */
class ScriptedEventSource extends EventTarget {
  static readonly CLOSED = 2;
  static last: ScriptedEventSource | undefined;
  readonly url: string;
  readyState = 0;

  constructor(url: string) {
    super();
    this.url = url;
    ScriptedEventSource.last = this;
  }

  close() {
    this.readyState = ScriptedEventSource.CLOSED;
  }

  step(sequence: number) {
    const data = JSON.stringify(recordedStep(sequence));
    this.dispatchEvent(new MessageEvent("step", { data, lastEventId: String(sequence) }));
  }

  end(run: Run) {
    this.dispatchEvent(new MessageEvent("end", { data: JSON.stringify(run) }));
  }
}

function follow(onEnd: (run: Run) => void = vi.fn()) {
  const hook = renderHook(() =>
    useRunEvents({ workspaceId: "ws_1", runId: "run_1", enabled: true, onEnd }),
  );
  const source = ScriptedEventSource.last;
  if (!source) {
    throw new Error("useRunEvents opened no EventSource");
  }
  return { result: hook.result, source };
}

function sequences(steps: readonly { sequence: number }[]) {
  return steps.map((step) => step.sequence);
}

/** Let the timers due now run (a zero-delay timeout, say), without moving the clock. */
function settle() {
  vi.advanceTimersByTime(0);
}

// The clock is Vitest's: performance.now() and setTimeout move only when a test advances
// them, so these rules hold whatever the machine is doing.
describe("useRunEvents", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", ScriptedEventSource);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("hands over the first step at once, not after the batch window", () => {
    const { result, source } = follow();
    expect(source.url).toBe("/api/v1/workspaces/ws_1/runs/run_1/events");

    act(() => {
      source.step(1);
      settle();
    });

    expect(sequences(result.current.streamed)).toEqual([1]);
  });

  it("hands over a step after a quiet spell at once", () => {
    const { result, source } = follow();
    act(() => {
      source.step(1);
      settle();
    });

    act(() => {
      vi.advanceTimersByTime(3000); // the model thinks: no step for three seconds
    });
    act(() => {
      source.step(2);
      settle();
    });

    expect(sequences(result.current.streamed)).toEqual([1, 2]);
  });

  it("groups the steps of a burst into one hand-over per window", () => {
    const { result, source } = follow();
    act(() => {
      source.step(1);
      settle();
    });

    act(() => {
      for (const sequence of [2, 3, 4]) {
        source.step(sequence);
      }
      vi.advanceTimersByTime(50);
    });
    expect(sequences(result.current.streamed)).toEqual([1]);

    act(() => {
      vi.advanceTimersByTime(60);
    });
    expect(sequences(result.current.streamed)).toEqual([1, 2, 3, 4]);
  });

  it("counts the window from the last hand-over, not from the step's arrival", () => {
    const { result, source } = follow();
    act(() => {
      source.step(1);
      settle();
    });

    act(() => {
      vi.advanceTimersByTime(60);
      source.step(2);
      vi.advanceTimersByTime(39);
    });
    expect(sequences(result.current.streamed)).toEqual([1]);

    act(() => {
      vi.advanceTimersByTime(1); // 100 ms after step 1 went, 40 ms after step 2 came
    });
    expect(sequences(result.current.streamed)).toEqual([1, 2]);
  });

  it("hands over the steps still waiting when the run ends, then reports the run", () => {
    const onEnd = vi.fn();
    const { result, source } = follow(onEnd);
    act(() => {
      source.step(1);
      settle();
      source.step(2);
    });
    expect(sequences(result.current.streamed)).toEqual([1]);

    act(() => {
      source.end(recordedRun());
    });

    expect(sequences(result.current.streamed)).toEqual([1, 2]);
    expect(result.current.state).toBe("closed");
    expect(source.readyState).toBe(ScriptedEventSource.CLOSED);
    expect(onEnd).toHaveBeenCalledWith(recordedRun());
  });
});
