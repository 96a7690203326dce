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

/** A running clock in whole units: "0 s", "42 s", "3 min 07 s", "1 h 02 min". */
export function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  if (total < 60) {
    return `${total} s`;
  }
  const pad = (value: number) => String(value).padStart(2, "0");
  const minutes = Math.floor(total / 60);
  if (minutes < 60) {
    return `${minutes} min ${pad(total % 60)} s`;
  }
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
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
export function runAnswer(run: Pick<Run, "output">): string | null {
  const output = run.output;
  if (!output) {
    return null;
  }
  return typeof output.text === "string"
    ? output.text
    : JSON.stringify(output.data ?? output, null, 2);
}

/** A run's input as text: a prompt as it is, structured input as indented JSON. */
export function runInputText(input: unknown): string {
  if (typeof input === "string") {
    return input;
  }
  return input === null || input === undefined ? "" : JSON.stringify(input, null, 2);
}

/** A run's input on one line, for lists: a prompt as it is, fields as `name: value · …`. */
export function runInputLine(input: unknown): string {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return runInputText(input).replaceAll(/\s+/g, " ").trim();
  }
  return Object.entries(input)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" · ");
}

/** The first line of a text, cut to `length` characters with an ellipsis: for lists. */
export function firstLine(text: string, length = 80): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length > length ? `${line.slice(0, length - 1).trimEnd()}…` : line;
}

/** What to do about a failed run, by its error code; null when there is nothing to do. */
export function runErrorAdvice(code: string): string | null {
  if (code === "cancelled") {
    return null;
  }
  if (code === "provider-auth") {
    return "The provider refused its key. Check the key on the Providers page, then run again.";
  }
  if (code === "provider-model-not-found") {
    return "The provider does not serve this model. Pick one it serves in the agent, then run again.";
  }
  if (code === "provider-quota-exceeded") {
    return "The provider account is out of credit or quota. Top it up, then run again.";
  }
  if (code === "provider-address-refused") {
    return "This workspace may not reach the provider's address. Ask an admin to allow it.";
  }
  if (code === "provider-bad-request") {
    return "The provider refused the request as sent. Check the agent's model and settings.";
  }
  if (code.startsWith("provider-")) {
    return "The provider did not answer in time or was busy. Run it again in a moment.";
  }
  return "Run it again. If it fails again, send the run's address to your administrator.";
}
