import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { runTotals } from "./graph-model";
import { RunSummary } from "./RunSummary";
import { recordedRun } from "./test-run";

afterEach(() => {
  vi.useRealTimers();
});

function field(name: string): HTMLElement | null {
  return screen.getByTestId("run-summary").querySelector(`[data-field="${name}"]`);
}

describe("RunSummary", () => {
  it("counts the time of a running run up, second by second, and stops when it ends", () => {
    vi.useFakeTimers({ now: new Date("2026-06-01T12:00:05Z") });
    const running = recordedRun({
      status: "running",
      output: null,
      started_at: "2026-06-01T12:00:00Z",
      finished_at: null,
      latency_ms: null,
    });
    const { rerender } = render(
      <RunSummary
        run={running}
        agentName="Code reviewer"
        totals={runTotals(running, [])}
        stream="open"
      />,
    );
    expect(field("elapsed")).toHaveTextContent("5 s");
    act(() => {
      vi.advanceTimersByTime(62_000);
    });
    expect(field("elapsed")).toHaveTextContent("1 min 07 s");

    const finished = recordedRun({
      started_at: "2026-06-01T12:00:00Z",
      finished_at: "2026-06-01T12:01:10Z",
    });
    rerender(
      <RunSummary
        run={finished}
        agentName="Code reviewer"
        totals={runTotals(finished, [])}
        stream="closed"
      />,
    );
    expect(field("elapsed")).toHaveTextContent("1 min 10 s");
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(field("elapsed")).toHaveTextContent("1 min 10 s");
    expect(field("answer")).toHaveTextContent("Looks good.");
  });

  it("shows a failed run's error with what to do, in place of the answer", () => {
    const failed = recordedRun({
      status: "failed",
      output: null,
      error: { code: "provider-auth", message: "The provider refused the API key." },
    });
    render(
      <RunSummary run={failed} agentName={null} totals={runTotals(failed, [])} stream="idle" />,
    );
    const answer = field("answer");
    expect(answer).toHaveTextContent("Error");
    expect(answer).toHaveTextContent("The provider refused the API key.");
    expect(answer).toHaveTextContent("Check the key on the Providers page");
    expect(field("agent")).toHaveTextContent("agt_1");
  });

  it("writes structured input and output out as JSON, and says when a run waits on a decision", () => {
    const paused = recordedRun({
      status: "waiting_approval",
      input: { repository: "luna", pull: 42 },
      output: null,
      finished_at: null,
    });
    render(
      <RunSummary run={paused} agentName="Deployer" totals={runTotals(paused, [])} stream="open" />,
    );
    expect(JSON.parse(field("input")?.querySelector("p")?.textContent ?? "")).toEqual({
      repository: "luna",
      pull: 42,
    });
    expect(field("answer")).toHaveTextContent("Paused until a member approves or rejects");
  });
});
