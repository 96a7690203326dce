/**
 * Replaying a finished run in the browser, at its original pace or faster. Each step shows
 * at the moment it was complete (its end, or its start for a step without one), counted
 * from the run's start, as the API's replay stream paces it; the wait before the next step
 * is the recorded gap divided by the speed.
 *
 * A replay's position is how many steps it shows: 0 (none) to the number of steps (all).
 */
import type { Step } from "./graph-model";

export const REPLAY_SPEEDS = [0.5, 1, 2, 4, 8, 16] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

export function isReplaySpeed(value: number): value is ReplaySpeed {
  return (REPLAY_SPEEDS as readonly number[]).includes(value);
}

/**
 * The longest a replay waits between two steps, whatever the recorded gap: a run that
 * waited hours for an approval replays the wait in this time.
 */
export const LONGEST_REPLAY_WAIT_MS = 10_000;

export interface ReplayFrame {
  sequence: number;
  /** When the step shows, in milliseconds from the run's start; never before the previous. */
  offsetMs: number;
}

function recordedAt(step: Step): number {
  return Date.parse(step.ended_at ?? step.started_at);
}

/** The run's steps in order, with the moment each shows. `origin` is the run's start. */
export function replayFrames(steps: readonly Step[], origin: string | null): ReplayFrame[] {
  const ordered = [...steps].sort((first, second) => first.sequence - second.sequence);
  const start = origin ? Date.parse(origin) : ordered[0] ? Date.parse(ordered[0].started_at) : 0;
  let previous = 0;
  return ordered.map((step) => {
    previous = Math.max(previous, recordedAt(step) - start);
    return { sequence: step.sequence, offsetMs: previous };
  });
}

/** The moment a replay at `position` has reached, from the run's start. */
export function offsetAt(frames: readonly ReplayFrame[], position: number): number {
  return position <= 0 ? 0 : (frames[Math.min(position, frames.length) - 1]?.offsetMs ?? 0);
}

/**
 * How long to wait, at `speed`, before showing the step after `position`; null at the end.
 * Waits are capped at `longestWaitMs`.
 */
export function delayBefore(
  frames: readonly ReplayFrame[],
  position: number,
  speed: number,
  longestWaitMs = Number.POSITIVE_INFINITY,
): number | null {
  const next = frames[position];
  if (!next || position < 0) {
    return null;
  }
  return Math.min((next.offsetMs - offsetAt(frames, position)) / speed, longestWaitMs);
}

/**
 * The position after the next wait: the next step, with the steps recorded at the same
 * moment (a model request and its parts), which show together.
 */
export function nextPosition(frames: readonly ReplayFrame[], position: number): number {
  const next = frames[position];
  if (!next) {
    return frames.length;
  }
  let reached = position + 1;
  while (frames[reached]?.offsetMs === next.offsetMs) {
    reached += 1;
  }
  return reached;
}

export interface ScheduledStep {
  /** The position once it shows. */
  position: number;
  /** The wait before it, in milliseconds. */
  delayMs: number;
}

/** The rest of a replay from `position`: each step in order, with the wait before it. */
export function replaySchedule(
  frames: readonly ReplayFrame[],
  position: number,
  speed: number,
): ScheduledStep[] {
  const schedule: ScheduledStep[] = [];
  for (let at = Math.max(0, position); at < frames.length; at += 1) {
    schedule.push({ position: at + 1, delayMs: delayBefore(frames, at, speed) ?? 0 });
  }
  return schedule;
}

/** The position that shows the steps up to `sequence` (a replay's `?at=`). */
export function positionOfSequence(frames: readonly ReplayFrame[], sequence: number): number {
  return frames.filter((frame) => frame.sequence <= sequence).length;
}

/** The sequence of the last step a replay at `position` shows; 0 when it shows none. */
export function sequenceAt(frames: readonly ReplayFrame[], position: number): number {
  return position <= 0 ? 0 : (frames[Math.min(position, frames.length) - 1]?.sequence ?? 0);
}

export interface ReplayState {
  position: number;
  playing: boolean;
}

export type ReplayAction =
  | { type: "play" }
  | { type: "pause" }
  | { type: "step-forward" }
  | { type: "step-back" }
  | { type: "seek"; position: number }
  /** The wait before the next step is over. */
  | { type: "tick" };

function clamp(position: number, total: number): number {
  return Math.min(Math.max(0, Math.round(position)), total);
}

/**
 * What a replay control does. Playing at the end starts again from the beginning; stepping
 * pauses; seeking keeps playing if it was; reaching the end stops.
 */
export function replayReducer(
  state: ReplayState,
  action: ReplayAction,
  frames: readonly ReplayFrame[],
): ReplayState {
  const total = frames.length;
  switch (action.type) {
    case "play":
      return { position: state.position >= total ? 0 : state.position, playing: total > 0 };
    case "pause":
      return { ...state, playing: false };
    case "step-forward":
      return { position: clamp(state.position + 1, total), playing: false };
    case "step-back":
      return { position: clamp(state.position - 1, total), playing: false };
    case "seek": {
      const position = clamp(action.position, total);
      return { position, playing: state.playing && position < total };
    }
    case "tick": {
      const position = nextPosition(frames, state.position);
      return { position, playing: state.playing && position < total };
    }
  }
}
