/** How each kind of step looks: its name, and its colours in the graph and the timeline. */
import type { Step, StepKind } from "./graph-model";

export const STEP_KIND_LABELS: Record<StepKind, string> = {
  model_request: "Model request",
  thinking: "Thinking",
  text: "Text",
  tool_call: "Tool call",
  tool_result: "Tool result",
  approval: "Approval",
  final: "Answer",
  error: "Error",
};

/** The node's accent: its left border and its kind's label. */
export const STEP_KIND_ACCENTS: Record<StepKind, string> = {
  model_request: "border-l-luna-400 text-luna-200",
  thinking: "border-l-indigo-300 text-indigo-200",
  text: "border-l-sky-300 text-sky-200",
  tool_call: "border-l-amber-300 text-amber-200",
  tool_result: "border-l-emerald-300 text-emerald-200",
  approval: "border-l-orange-300 text-orange-200",
  final: "border-l-teal-300 text-teal-200",
  error: "border-l-rose-400 text-rose-200",
};

/** The timeline bar's fill. */
export const STEP_KIND_BARS: Record<StepKind, string> = {
  model_request: "bg-luna-400",
  thinking: "bg-indigo-300",
  text: "bg-sky-300",
  tool_call: "bg-amber-300",
  tool_result: "bg-emerald-300",
  approval: "bg-orange-300",
  final: "bg-teal-300",
  error: "bg-rose-400",
};

const STATUS_RINGS: Record<string, string> = {
  error: "ring-2 ring-rose-400/80",
  retrying: "ring-2 ring-amber-300/70",
  pending: "ring-2 ring-amber-300/70",
};

/** A ring for a step that failed, is being retried or waits for a decision. */
export function statusRing(step: Step): string {
  return STATUS_RINGS[step.status] ?? "";
}

export const STEP_STATUS_LABELS: Record<string, string> = {
  done: "Done",
  error: "Error",
  pending: "Waiting for a decision",
  retrying: "Retrying",
};

/** What the step is about in a few words: the tool's or the model's name. */
export function stepTitle(step: Step): string {
  return `${STEP_KIND_LABELS[step.kind]}${step.name ? `: ${step.name}` : ""}`;
}
