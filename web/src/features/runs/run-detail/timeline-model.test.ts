import { describe, expect, it } from "vitest";

import { detailViewFromParams, writeDetailView } from "./detail-view";
import { fanOutSteps, recordedRun, recordedSteps } from "./test-run";
import { axisTicks, barsInWindow, lanesInView, scrollToReveal, timelineOf } from "./timeline-model";

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
    const view = { fromMs: 1500, toMs: 2000, firstLane: 0, lastLane: 10 };
    const shown = barsInWindow(timeline.bars, view).map((bar) => bar.step.sequence);
    expect(shown.sort((a, b) => a - b)).toEqual([6, 7, 8]);
    const laneOf7 = lane(7) ?? -1;
    const lanes = barsInWindow(timeline.bars, { ...view, firstLane: laneOf7, lastLane: laneOf7 });
    expect(lanes.map((bar) => bar.step.sequence).sort((a, b) => a - b)).toEqual([7]);
  });
});

describe("a timeline of hundreds of parallel calls", () => {
  const steps = fanOutSteps(250);
  const timeline = timelineOf(steps, recordedRun().started_at, 50);
  const lanes = { laneHeight: 18, topOffset: 18, overscan: 3 };

  it("has a lane per call running at once, and draws only the lanes in view", () => {
    expect(steps).toHaveLength(505);
    expect(timeline.lanes).toBeGreaterThan(250);
    const everything = { fromMs: 0, toMs: timeline.spanMs };
    const top = barsInWindow(timeline.bars, { ...everything, ...lanesInView(0, 224, lanes) });
    expect(top.length).toBeGreaterThan(10);
    expect(top.length).toBeLessThan(40);
    expect(top.map((bar) => bar.step.sequence)).toContain(1);

    const further = lanesInView(18 * 200, 224, lanes);
    expect(further).toEqual({ firstLane: 196, lastLane: 215 });
    const lower = barsInWindow(timeline.bars, { ...everything, ...further });
    expect(lower.every((bar) => bar.lane >= 196 && bar.lane <= 215)).toBe(true);
    expect(lower.map((bar) => bar.step.sequence)).not.toContain(1);
  });
});

describe("scrollToReveal", () => {
  it("scrolls only as far as it takes to show the span", () => {
    expect(scrollToReveal(100, 120, 50, 200)).toBe(50);
    expect(scrollToReveal(20, 40, 50, 200)).toBe(20);
    expect(scrollToReveal(300, 320, 50, 200)).toBe(120);
    // Longer than the view: its start shows.
    expect(scrollToReveal(300, 900, 50, 200)).toBe(300);
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
    // No layout (or an unknown one): the screen's own.
    expect(detailViewFromParams(new URLSearchParams("step=x&at=-1&speed=3&layout=up"))).toEqual({
      step: null,
      at: null,
      speed: 1,
      layout: null,
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
    // A direction chosen is kept, even the one a wide screen would use anyway.
    expect(writeDetailView(params, { layout: "LR" }).toString()).toBe("other=kept&layout=LR");
  });
});
