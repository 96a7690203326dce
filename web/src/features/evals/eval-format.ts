/** How the evaluation pages write statuses, verdicts, figures and checks. */
import type { BadgeTone } from "../../components/ui/Badge";
import type {
  CaseCheck,
  CaseChecks,
  CaseComparison,
  EvalResult,
  EvalRunStatus,
  ToolOrder,
} from "./hooks";

export const EVAL_RUN_STATUS: Record<EvalRunStatus, { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "neutral" },
  running: { label: "Running", tone: "brand" },
  succeeded: { label: "Finished", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
};

export const VERDICT: Record<EvalResult["status"], { label: string; tone: BadgeTone }> = {
  pending: { label: "Pending", tone: "neutral" },
  passed: { label: "Passed", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  errored: { label: "Errored", tone: "warning" },
};

export const TOOL_ORDERS: { value: ToolOrder; label: string }[] = [
  { value: "any", label: "Any order" },
  { value: "in_order", label: "In this order" },
  { value: "exact", label: "Exactly these calls" },
];

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const signedPoints = new Intl.NumberFormat(undefined, {
  maximumFractionDigits: 0,
  signDisplay: "exceptZero",
});

/** "75%", from a rate between 0 and 1; "–" when there is none yet. */
export function formatRate(rate: number | null): string {
  return rate === null ? "–" : percent.format(rate);
}

/** "0.92"; "–" when there is none. */
export function formatScore(score: number | null): string {
  return score === null ? "–" : decimal.format(score);
}

/** The change of a rate in percentage points: "+25 pts", "−10 pts", "±0 pts". */
export function formatPoints(before: number, after: number): string {
  const points = Math.round((after - before) * 100);
  return points === 0 ? "±0 pts" : `${signedPoints.format(points)} pts`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** "12 cases". */
export function countCases(count: number): string {
  return plural(count, "case");
}

/** What a case is held to, in short phrases ("equals", "contains 2", "calls search"). */
export function checkSummary(checks: CaseChecks): string[] {
  const parts: string[] = [];
  if (checks.expected_output !== null && checks.expected_output !== undefined) {
    parts.push("equals expected");
  }
  const contains = checks.contains ?? [];
  if (contains.length === 1) {
    parts.push(`contains “${contains[0] ?? ""}”`);
  } else if (contains.length > 1) {
    parts.push(`contains ${contains.length} texts`);
  }
  if (contains.length > 0 && !checks.case_sensitive) {
    parts.push("any case");
  }
  if (checks.output_schema) {
    parts.push("matches schema");
  }
  const required = checks.required_tools ?? [];
  if (required.length > 0) {
    const order =
      checks.tool_order === "in_order" ? " in order" : checks.tool_order === "exact" ? " only" : "";
    parts.push(`calls ${required.join(", ")}${order}`);
  }
  const forbidden = checks.forbidden_tools ?? [];
  if (forbidden.length > 0) {
    parts.push(`never ${forbidden.join(", ")}`);
  }
  if (checks.rubric) {
    parts.push("rubric");
  }
  if (checks.max_cost_usd !== null && checks.max_cost_usd !== undefined) {
    parts.push(`≤ $${Number(checks.max_cost_usd)}`);
  }
  if (checks.max_latency_ms !== null && checks.max_latency_ms !== undefined) {
    parts.push(`≤ ${checks.max_latency_ms} ms`);
  }
  return parts;
}

/** How a case moved from the first target to the second. */
export type CaseChange = "regressed" | "improved" | "differs" | "same";

export function caseChange(comparison: CaseComparison): CaseChange {
  const [first, second] = comparison.sides;
  const passedFirst = first?.status === "passed";
  const passedSecond = second?.status === "passed";
  if (passedFirst && !passedSecond && second?.status !== "pending") {
    return "regressed";
  }
  if (!passedFirst && passedSecond && first?.status !== "pending") {
    return "improved";
  }
  return comparison.differs ? "differs" : "same";
}

/** A check's verdict in a word, and its tone. */
export function checkVerdict(check: CaseCheck): { text: string; tone: BadgeTone } {
  if (check.kind === "score") {
    return {
      text: typeof check.value === "number" ? formatScore(check.value) : "–",
      tone: "neutral",
    };
  }
  if (check.value === true) {
    return { text: "Pass", tone: "success" };
  }
  if (check.value === false) {
    return { text: "Fail", tone: "danger" };
  }
  return { text: "Not checked", tone: "neutral" };
}

/** The first check a result failed, for a line under its answer. */
export function firstFailure(result: EvalResult): CaseCheck | undefined {
  return result.checks.find((check) => check.kind === "assertion" && check.value === false);
}

/** What a line of a unified diff (or of the step diff) is. */
export type DiffLineKind = "added" | "removed" | "hunk" | "header" | "same";

export function diffLineKind(line: string): DiffLineKind {
  if (line.startsWith("+++") || line.startsWith("---")) {
    return "header";
  }
  if (line.startsWith("@@")) {
    return "hunk";
  }
  if (line.startsWith("+")) {
    return "added";
  }
  if (line.startsWith("-")) {
    return "removed";
  }
  return "same";
}
