/**
 * The playground's view, kept in the address so that a reload or a link resumes it:
 * `?agent=` (the agent tried), `?thread=` (the conversation: the id of its first run),
 * `?mode=compare` (absent for the chat), `?left=` and `?right=` (the compared sides: a
 * version number or `draft`) and `?left_run=` and `?right_run=` (the compared runs).
 */

export type PlaygroundMode = "chat" | "compare";

/** A side of a comparison: a saved version by number, or the current draft. */
export type CompareSide = number | "draft";

export interface PlaygroundView {
  agent: string | null;
  thread: string | null;
  mode: PlaygroundMode;
  left: CompareSide | null;
  right: CompareSide | null;
  leftRun: string | null;
  rightRun: string | null;
}

const PARAMS: Record<keyof PlaygroundView, string> = {
  agent: "agent",
  thread: "thread",
  mode: "mode",
  left: "left",
  right: "right",
  leftRun: "left_run",
  rightRun: "right_run",
};

function idParam(value: string | null): string | null {
  return value !== null && /^[a-z0-9_]{1,40}$/.test(value) ? value : null;
}

function sideParam(value: string | null): CompareSide | null {
  if (value === "draft") {
    return "draft";
  }
  return value !== null && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : null;
}

export function playgroundViewFromParams(params: URLSearchParams): PlaygroundView {
  return {
    agent: idParam(params.get(PARAMS.agent)),
    thread: idParam(params.get(PARAMS.thread)),
    mode: params.get(PARAMS.mode) === "compare" ? "compare" : "chat",
    left: sideParam(params.get(PARAMS.left)),
    right: sideParam(params.get(PARAMS.right)),
    leftRun: idParam(params.get(PARAMS.leftRun)),
    rightRun: idParam(params.get(PARAMS.rightRun)),
  };
}

/** Writes the view's changes into `params`, leaving out what is the default. */
export function writePlaygroundView(
  params: URLSearchParams,
  changes: Partial<PlaygroundView>,
): URLSearchParams {
  const view = { ...playgroundViewFromParams(params), ...changes };
  for (const key of Object.keys(PARAMS) as (keyof PlaygroundView)[]) {
    const value = view[key];
    if (value === null || (key === "mode" && value === "chat")) {
      params.delete(PARAMS[key]);
    } else {
      params.set(PARAMS[key], String(value));
    }
  }
  return params;
}

/** The view of another agent: a fresh conversation and no comparison. */
export function agentChange(agent: string): Partial<PlaygroundView> {
  return { agent, thread: null, left: null, right: null, leftRun: null, rightRun: null };
}
