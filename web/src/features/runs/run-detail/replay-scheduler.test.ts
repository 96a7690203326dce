import { describe, expect, it } from "vitest";

import type { Step } from "./graph-model";
import {
  delayBefore,
  nextPosition,
  offsetAt,
  positionOfSequence,
  replayFrames,
  replayReducer,
  replaySchedule,
  sequenceAt,
  type ReplayState,
} from "./replay-scheduler";
import { recordedRun, recordedSteps } from "./test-run";

const frames = replayFrames(recordedSteps, recordedRun().started_at);

describe("replayFrames", () => {
  it("orders the steps and shows each when it was complete, from the run's start", () => {
    const shuffled = [...recordedSteps].reverse();
    expect(replayFrames(shuffled, recordedRun().started_at)).toEqual([
      { sequence: 1, offsetMs: 1000 },
      { sequence: 2, offsetMs: 1000 },
      { sequence: 3, offsetMs: 1000 },
      { sequence: 4, offsetMs: 1000 },
      { sequence: 5, offsetMs: 1400 },
      { sequence: 6, offsetMs: 1600 },
      { sequence: 7, offsetMs: 2400 },
      { sequence: 8, offsetMs: 2400 },
      // The final answer has no end: it shows at its start.
      { sequence: 9, offsetMs: 2400 },
    ]);
  });

  it("never goes back in time", () => {
    const [first, second] = recordedSteps as [Step, Step];
    const early = { ...second, ended_at: "2026-11-20T09:00:00.200Z" };
    expect(replayFrames([first, early], recordedRun().started_at).map((f) => f.offsetMs)).toEqual([
      1000, 1000,
    ]);
  });

  it("counts from the first step when the run has no start", () => {
    expect(replayFrames(recordedSteps, null)[0]?.offsetMs).toBe(1000);
    expect(replayFrames([], null)).toEqual([]);
  });
});

describe("the schedule", () => {
  it("waits the recorded gaps, in order", () => {
    expect(replaySchedule(frames, 0, 1)).toEqual([
      { position: 1, delayMs: 1000 },
      { position: 2, delayMs: 0 },
      { position: 3, delayMs: 0 },
      { position: 4, delayMs: 0 },
      { position: 5, delayMs: 400 },
      { position: 6, delayMs: 200 },
      { position: 7, delayMs: 800 },
      { position: 8, delayMs: 0 },
      { position: 9, delayMs: 0 },
    ]);
  });

  it("waits a quarter as long at 4×, and twice as long at 0.5×", () => {
    const atOne = replaySchedule(frames, 0, 1).map((entry) => entry.delayMs);
    expect(replaySchedule(frames, 0, 4).map((entry) => entry.delayMs)).toEqual(
      atOne.map((delay) => delay / 4),
    );
    expect(delayBefore(frames, 4, 4)).toBe(100);
    expect(delayBefore(frames, 0, 0.5)).toBe(2000);
  });

  it("starts from the position it is at", () => {
    expect(replaySchedule(frames, 5, 2)).toEqual([
      { position: 6, delayMs: 100 },
      { position: 7, delayMs: 400 },
      { position: 8, delayMs: 0 },
      { position: 9, delayMs: 0 },
    ]);
    expect(delayBefore(frames, 9, 1)).toBeNull();
  });

  it("caps long waits", () => {
    expect(delayBefore(frames, 0, 1, 300)).toBe(300);
    expect(delayBefore(frames, 4, 1, 300)).toBe(300);
    expect(delayBefore(frames, 5, 1, 300)).toBe(200);
  });

  it("shows the steps recorded at the same moment together", () => {
    expect(nextPosition(frames, 0)).toBe(4);
    expect(nextPosition(frames, 4)).toBe(5);
    expect(nextPosition(frames, 6)).toBe(9);
    expect(nextPosition(frames, 9)).toBe(9);
  });
});

describe("positions", () => {
  it("map to and from the sequence of the last step shown", () => {
    expect(positionOfSequence(frames, 0)).toBe(0);
    expect(positionOfSequence(frames, 5)).toBe(5);
    expect(positionOfSequence(frames, 99)).toBe(9);
    expect(sequenceAt(frames, 0)).toBe(0);
    expect(sequenceAt(frames, 5)).toBe(5);
    expect(sequenceAt(frames, 42)).toBe(9);
    expect(offsetAt(frames, 0)).toBe(0);
    expect(offsetAt(frames, 6)).toBe(1600);
  });
});

describe("replayReducer", () => {
  const paused = (position: number): ReplayState => ({ position, playing: false });
  const playing = (position: number): ReplayState => ({ position, playing: true });

  it("plays from where it is, and from the beginning at the end", () => {
    expect(replayReducer(paused(3), { type: "play" }, frames)).toEqual(playing(3));
    expect(replayReducer(paused(9), { type: "play" }, frames)).toEqual(playing(0));
    expect(replayReducer(paused(0), { type: "play" }, [])).toEqual(paused(0));
  });

  it("pauses where it is", () => {
    expect(replayReducer(playing(5), { type: "pause" }, frames)).toEqual(paused(5));
  });

  it("steps one step at a time, pausing, within the run", () => {
    expect(replayReducer(playing(5), { type: "step-forward" }, frames)).toEqual(paused(6));
    expect(replayReducer(paused(9), { type: "step-forward" }, frames)).toEqual(paused(9));
    expect(replayReducer(playing(5), { type: "step-back" }, frames)).toEqual(paused(4));
    expect(replayReducer(paused(0), { type: "step-back" }, frames)).toEqual(paused(0));
  });

  it("scrubs to a position within the run, playing on if it was", () => {
    expect(replayReducer(paused(1), { type: "seek", position: 7 }, frames)).toEqual(paused(7));
    expect(replayReducer(playing(1), { type: "seek", position: 7 }, frames)).toEqual(playing(7));
    expect(replayReducer(playing(1), { type: "seek", position: 40 }, frames)).toEqual(paused(9));
    expect(replayReducer(paused(4), { type: "seek", position: -3 }, frames)).toEqual(paused(0));
  });

  it("advances on each tick and stops at the end", () => {
    expect(replayReducer(playing(0), { type: "tick" }, frames)).toEqual(playing(4));
    expect(replayReducer(playing(4), { type: "tick" }, frames)).toEqual(playing(5));
    expect(replayReducer(playing(6), { type: "tick" }, frames)).toEqual(paused(9));
  });
});
