/**
 * The run's steps on a time axis: a bar per step from its start to its end, packed into
 * lanes so that steps that overlap (a model request and its parts, tool calls running in
 * parallel) sit one under the other.
 */
import type { Step } from "./graph-model";

export interface TimelineBar {
  step: Step;
  /** Milliseconds from the run's start. */
  startMs: number;
  endMs: number;
  lane: number;
}

export interface TimelineModel {
  bars: TimelineBar[];
  lanes: number;
  /** From the run's start to the end of its last step (at least 1 ms). */
  spanMs: number;
}

/**
 * The bars of `steps`, with `origin` (the run's start) as time zero. A step without an end
 * is an instant; `minimumMs` is the least room a bar takes in its lane, so that instants
 * next to each other do not share a spot.
 */
export function timelineOf(
  steps: readonly Step[],
  origin: string | null,
  minimumMs = 0,
): TimelineModel {
  const first = steps[0];
  const zero = origin ? Date.parse(origin) : first ? Date.parse(first.started_at) : 0;
  const timed = steps
    .map((step) => {
      const startMs = Math.max(0, Date.parse(step.started_at) - zero);
      const endMs = Math.max(startMs, Date.parse(step.ended_at ?? step.started_at) - zero);
      return { step, startMs, endMs };
    })
    .sort((a, b) => a.startMs - b.startMs || a.step.sequence - b.step.sequence);
  const laneEnds: number[] = [];
  const bars = timed.map((bar) => {
    const room = Math.max(bar.endMs, bar.startMs + minimumMs);
    let lane = laneEnds.findIndex((end) => end <= bar.startMs);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(room);
    } else {
      laneEnds[lane] = room;
    }
    return { ...bar, lane };
  });
  const spanMs = Math.max(1, ...bars.map((bar) => bar.endMs));
  return { bars, lanes: laneEnds.length, spanMs };
}

/** The part of the timeline in view: a span of time and a range of lanes, both inclusive. */
export interface TimelineWindow {
  fromMs: number;
  toMs: number;
  firstLane: number;
  lastLane: number;
}

/** The bars in the window: the only ones worth drawing. */
export function barsInWindow(bars: readonly TimelineBar[], view: TimelineWindow): TimelineBar[] {
  return bars.filter(
    (bar) =>
      bar.endMs >= view.fromMs &&
      bar.startMs <= view.toMs &&
      bar.lane >= view.firstLane &&
      bar.lane <= view.lastLane,
  );
}

/**
 * The lanes a viewport `height` pixels high shows when scrolled down by `scrollTop`, each
 * lane `laneHeight` pixels high below a `topOffset` (the axis), with `overscan` lanes
 * more on either side so that a quick scroll does not show gaps.
 */
export function lanesInView(
  scrollTop: number,
  height: number,
  { laneHeight, topOffset, overscan }: { laneHeight: number; topOffset: number; overscan: number },
): { firstLane: number; lastLane: number } {
  const first = Math.floor((scrollTop - topOffset) / laneHeight);
  const last = Math.ceil((scrollTop + height - topOffset) / laneHeight);
  return { firstLane: Math.max(0, first - overscan), lastLane: Math.max(0, last + overscan) };
}

/**
 * Where to scroll along one axis so that `[start, end]` is in a view `size` long that is
 * now at `scroll`: unchanged when it is in view already, else just far enough.
 */
export function scrollToReveal(start: number, end: number, scroll: number, size: number): number {
  if (start < scroll) {
    return Math.max(0, start);
  }
  if (end > scroll + size) {
    return Math.max(0, Math.min(start, end - size));
  }
  return scroll;
}

const TICK_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000,
  300_000, 600_000, 1_800_000, 3_600_000,
];

/** Round moments for the axis: about `count` of them across `spanMs`. */
export function axisTicks(spanMs: number, count = 6): number[] {
  const wanted = spanMs / Math.max(1, count);
  const step = TICK_STEPS_MS.find((candidate) => candidate >= wanted) ?? 3_600_000;
  const ticks: number[] = [];
  for (let tick = 0; tick <= spanMs; tick += step) {
    ticks.push(tick);
  }
  return ticks;
}
