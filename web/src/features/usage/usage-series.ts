/**
 * The usage report shaped for charts and tables: one point per day of the range (days
 * without runs included, as zeros), or one per agent or model, largest first.
 */
import type { UsageReport, UsageRow } from "./hooks";
import { formatCost, formatCount, formatShortDay } from "./usage-format";

/** What a day, an agent or a model used, with the cost as a number for the charts. */
export interface UsageFigures {
  runs: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export interface DailyPoint extends UsageFigures {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** "Nov 20", for the axis. */
  label: string;
}

export interface GroupPoint extends UsageFigures {
  /** The agent's id or the model's name; `other` for the groups folded together. */
  key: string;
  label: string;
}

const NO_USAGE: UsageFigures = { runs: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 };
const DAY_MS = 24 * 3600 * 1000;

export function figuresOf(row: Omit<UsageRow, "key" | "name">): UsageFigures {
  return {
    runs: row.runs,
    tokensIn: row.tokens_in,
    tokensOut: row.tokens_out,
    costUsd: Number(row.cost_usd),
  };
}

/** Every day from `from` to `to`, both included, as `YYYY-MM-DD`. */
export function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  const last = Date.parse(`${to}T00:00:00Z`);
  for (let time = Date.parse(`${from}T00:00:00Z`); time <= last; time += DAY_MS) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

/** One point per day of the report's range, a day without runs as zeros. */
export function dailySeries(report: UsageReport): DailyPoint[] {
  const byDay = new Map(report.rows.map((row) => [row.key, figuresOf(row)]));
  return daysOf(report.from, report.to).map((day) => ({
    day,
    label: formatShortDay(day),
    ...(byDay.get(day) ?? NO_USAGE),
  }));
}

/** How a group is called: the agent's name, or the model's (runs that named none aside). */
export function groupLabel(row: Pick<UsageRow, "key" | "name">): string {
  if (row.name) {
    return row.name;
  }
  return row.key === "unknown" ? "Unknown model" : row.key;
}

/** One point per agent or model: the costliest first, then the busiest, then by name. */
export function groupSeries(report: UsageReport): GroupPoint[] {
  return report.rows
    .map((row) => ({ key: row.key, label: groupLabel(row), ...figuresOf(row) }))
    .sort((a, b) => b.costUsd - a.costUsd || b.runs - a.runs || a.label.localeCompare(b.label));
}

/** The first `limit - 1` groups and the rest summed as "N others", so that a chart stays legible. */
export function foldSmallGroups(points: GroupPoint[], limit: number): GroupPoint[] {
  if (points.length <= limit) {
    return points;
  }
  const kept = points.slice(0, limit - 1);
  const rest = points.slice(limit - 1);
  const folded = rest.reduce<UsageFigures>(
    (sum, point) => ({
      runs: sum.runs + point.runs,
      tokensIn: sum.tokensIn + point.tokensIn,
      tokensOut: sum.tokensOut + point.tokensOut,
      costUsd: sum.costUsd + point.costUsd,
    }),
    NO_USAGE,
  );
  return [...kept, { key: "other", label: `${rest.length} others`, ...folded }];
}

export type Measure = "runs" | "tokens" | "costUsd";

function valueOf(point: UsageFigures, measure: Measure): number {
  return measure === "tokens" ? point.tokensIn + point.tokensOut : point[measure];
}

/** "42 runs", "1,550 tokens", "$0.045". */
function amountOf(value: number, measure: Measure): string {
  return measure === "costUsd" ? formatCost(value) : `${formatCount(value)} ${measure}`;
}

/**
 * What a chart shows, in words, for those who cannot see it: the total and the largest
 * point; the table that goes with the charts has every figure.
 */
export function describeChart(
  chart: string,
  points: (UsageFigures & { label: string })[],
  measure: Measure,
  tableName: string,
): string {
  const total = points.reduce((sum, point) => sum + valueOf(point, measure), 0);
  const largest = points.reduce<(UsageFigures & { label: string }) | null>(
    (best, point) => (best && valueOf(best, measure) >= valueOf(point, measure) ? best : point),
    null,
  );
  const peak =
    largest && valueOf(largest, measure) > 0
      ? `; the most: ${largest.label} (${amountOf(valueOf(largest, measure), measure)})`
      : "";
  return `${chart}. In all ${amountOf(total, measure)}${peak}. The table “${tableName}” lists every figure.`;
}
