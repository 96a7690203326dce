/**
 * The run page's view, kept in the address so that a link shows the same moment:
 * `?step=` (the sequence of the selected step), `?at=` (a replay's position: the sequence
 * of the last step shown; absent for the whole run), `?speed=` (the replay speed; absent
 * for 1×) and `?layout=` (`TB` top down, `LR` left to right; absent for the screen's
 * own: top down on a phone, left to right otherwise).
 */
import type { LayoutDirection } from "./graph-layout";
import { isReplaySpeed, type ReplaySpeed } from "./replay-scheduler";

export interface RunDetailView {
  step: number | null;
  at: number | null;
  speed: ReplaySpeed;
  /** Null: the screen's own direction. */
  layout: LayoutDirection | null;
}

function sequenceParam(value: string | null): number | null {
  return value !== null && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

function layoutParam(value: string | null): LayoutDirection | null {
  return value === "TB" || value === "LR" ? value : null;
}

export function detailViewFromParams(params: URLSearchParams): RunDetailView {
  const speed = Number(params.get("speed") ?? "1");
  return {
    step: sequenceParam(params.get("step")),
    at: sequenceParam(params.get("at")),
    speed: isReplaySpeed(speed) ? speed : 1,
    layout: layoutParam(params.get("layout")),
  };
}

/** Writes the view's changes into `params`, leaving out what is the default. */
export function writeDetailView(
  params: URLSearchParams,
  changes: Partial<RunDetailView>,
): URLSearchParams {
  const view = { ...detailViewFromParams(params), ...changes };
  const values: Record<keyof RunDetailView, string | null> = {
    step: view.step === null ? null : String(view.step),
    at: view.at === null ? null : String(view.at),
    speed: view.speed === 1 ? null : String(view.speed),
    layout: view.layout,
  };
  for (const [key, value] of Object.entries(values)) {
    if (value === null) {
      params.delete(key);
    } else {
      params.set(key, value);
    }
  }
  return params;
}
