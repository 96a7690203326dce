import { describe, expect, it } from "vitest";

import { detailViewFromParams, writeDetailView } from "./detail-view";
import { recordedRun, recordedSteps } from "./test-run";
import { axisTicks, barsInWindow, timelineOf } from "./timeline-model";

describe("timelineOf", () => {
  const timeline = timelineOf(recordedSteps, recordedRun().started_at, 50);
  const lane = (sequence: number) =>
    timeline.bars.find((bar) => bar.step.sequence === sequence)?.lane;

  it("puts steps that overlap in lanes of their own", () => {
    // The request and its three parts share a second; the two tool results run in parallel.
    expect(new Set([1, 2, 3, 4].map(lane)).size).toBe(4);
    expect(lane(5)).not.toBe(lane(6));
    expect(timeline.lanes).toBe(4);
  });

  it("reuses a lane once its last step has ended", () => {
    expect(lane(7)).toBe(lane(5));
  });

  it("spans from the run's start to the last step's end", () => {
    expect(timeline.spanMs).toBe(2400);
    const result = timeline.bars.find((bar) => bar.step.sequence === 6);
    expect([result?.startMs, result?.endMs]).toEqual([1000, 1600]);
  });

  it("draws only the bars that cross the window", () => {
    const shown = barsInWindow(timeline.bars, 1500, 2000).map((bar) => bar.step.sequence);
    expect(shown.sort((a, b) => a - b)).toEqual([6, 7, 8]);
  });
});

describe("axisTicks", () => {
  it("are round moments across the span", () => {
    expect(axisTicks(2400, 6)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(axisTicks(90_000, 3)).toEqual([0, 30_000, 60_000, 90_000]);
  });
});

describe("the page's address", () => {
  it("reads the selected step, the replay position, the speed and the layout", () => {
    expect(detailViewFromParams(new URLSearchParams("step=3&at=5&speed=4&layout=TB"))).toEqual({
      step: 3,
      at: 5,
      speed: 4,
      layout: "TB",
    });
    expect(detailViewFromParams(new URLSearchParams("step=x&at=-1&speed=3"))).toEqual({
      step: null,
      at: null,
      speed: 1,
      layout: "LR",
    });
  });

  it("writes only what differs from the defaults", () => {
    const params = new URLSearchParams("step=3&other=kept");
    expect(writeDetailView(params, { at: 0, speed: 16 }).toString()).toBe(
      "step=3&other=kept&at=0&speed=16",
    );
    expect(writeDetailView(params, { step: null, speed: 1, at: null }).toString()).toBe(
      "other=kept",
    );
  });
});
