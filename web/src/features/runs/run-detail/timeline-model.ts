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

/** The bars that cross the window `[fromMs, toMs]`: the only ones worth drawing. */
export function barsInWindow(
  bars: readonly TimelineBar[],
  fromMs: number,
  toMs: number,
): TimelineBar[] {
  return bars.filter((bar) => bar.endMs >= fromMs && bar.startMs <= toMs);
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
