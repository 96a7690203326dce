/**
 * What a running run is doing between its stored steps. A model request's steps are stored
 * when its response is complete, and a tool's result when the tool returns, so while the
 * run is running and no step is coming, either tools it called have not returned yet, or
 * a model request is under way: the graph shows that as a pending node, counting up.
 */
import type { Step } from "./graph-model";

export interface PendingWork {
  kind: "model" | "tools";
  /** The tools still running, by name. */
  tools: string[];
  /** When the work began: the end of the step it follows, or the run's start. */
  since: string;
  /** The step the pending node hangs from; null before the run's first step. */
  afterStepId: string | null;
}

function callId(step: Step): string | null {
  const id = (step.content as { tool_call_id?: unknown }).tool_call_id;
  return typeof id === "string" ? id : null;
}

/** The work a run with these steps is doing, or null when it is not running. */
export function pendingWork(
  run: { status: string; started_at: string | null },
  steps: readonly Step[],
): PendingWork | null {
  if (run.status !== "running" || run.started_at === null) {
    return null;
  }
  const last = steps.at(-1);
  const since = last ? (last.ended_at ?? last.started_at) : run.started_at;
  const answered = new Set(
    steps.filter((step) => step.kind === "tool_result").map((step) => callId(step)),
  );
  const running = steps.filter(
    (step) => step.kind === "tool_call" && step.status !== "pending" && !answered.has(callId(step)),
  );
  if (running.length > 0) {
    return {
      kind: "tools",
      tools: running.map((step) => step.name ?? "tool"),
      since,
      afterStepId: last?.id ?? null,
    };
  }
  if (last && (last.kind === "final" || last.kind === "error")) {
    return null;
  }
  return { kind: "model", tools: [], since, afterStepId: last?.id ?? null };
}
