/** How the runs pages write a run's figures, status and answer. */
import type { BadgeTone } from "../../components/ui/Badge";
import type { Run } from "./hooks";
import type { RunStatus } from "./list-view";

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  waiting_approval: "Waiting for approval",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const RUN_STATUS_TONES: Record<RunStatus, BadgeTone> = {
  queued: "neutral",
  running: "brand",
  waiting_approval: "warning",
  succeeded: "success",
  failed: "danger",
  cancelled: "neutral",
};

const count = new Intl.NumberFormat();
const usd = new Intl.NumberFormat(undefined, {
  style: "currency",
  currency: "USD",
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const seconds = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });

/** "1,200". */
export function formatCount(value: number): string {
  return count.format(value);
}

/** "850 ms", "12.3 s". */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${count.format(Math.round(ms))} ms` : `${seconds.format(ms / 1000)} s`;
}

/** "$0.0123", from the API's decimal string. */
export function formatCost(costUsd: string | number): string {
  return usd.format(Number(costUsd));
}

/** "87%", from a probability between 0 and 1. */
export function formatConfidence(confidence: number): string {
  return percent.format(confidence);
}

/** The random end of a run id, enough to tell runs apart: `run_01jd…x7k2p9qa` gives `x7k2p9qa`. */
export function shortRunId(runId: string): string {
  const bare = runId.replace(/^run_/, "");
  return bare.length > 8 ? bare.slice(-8) : bare;
}

/** What a finished run answered: its text, or its structured output as JSON; null before. */
export function runAnswer(run: Run): string | null {
  const output = run.output;
  if (!output) {
    return null;
  }
  return typeof output.text === "string"
    ? output.text
    : JSON.stringify(output.data ?? output, null, 2);
}
