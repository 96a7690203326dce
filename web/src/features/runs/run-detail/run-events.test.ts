import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useRunEvents } from "./run-events";
import { recordedStep } from "./test-run";

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
}

function follow() {
  return renderHook(() =>
    useRunEvents({ workspaceId: "ws_1", runId: "run_1", enabled: true, onEnd: vi.fn() }),
  );
}

function sequences(steps: readonly { sequence: number }[]) {
  return steps.map((step) => step.sequence);
}

describe("useRunEvents", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal("EventSource", ScriptedEventSource);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("hands over a step after a quiet spell at once, not after the batch window", () => {
    const { result } = follow();
    const source = ScriptedEventSource.last;
    expect(source?.url).toBe("/api/v1/workspaces/ws_1/runs/run_1/events");

    act(() => {
      source?.step(1);
      vi.advanceTimersByTime(1);
    });

    expect(sequences(result.current.streamed)).toEqual([1]);
  });

  it("groups the steps of a burst into one hand-over per window", () => {
    const { result } = follow();
    const source = ScriptedEventSource.last;
    act(() => {
      source?.step(1);
      vi.advanceTimersByTime(1);
    });

    act(() => {
      for (const sequence of [2, 3, 4]) {
        source?.step(sequence);
      }
      vi.advanceTimersByTime(50);
    });
    expect(sequences(result.current.streamed)).toEqual([1]);

    act(() => {
      vi.advanceTimersByTime(60);
    });
    expect(sequences(result.current.streamed)).toEqual([1, 2, 3, 4]);
  });
});
