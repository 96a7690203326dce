/**
 * The usage page's view, kept in the address so that a reload or a link shows the same
 * report: `?days=` (7, 30 or 90, ending today) and `?group_by=` (day, agent or model).
 */
export const USAGE_RANGES = [7, 30, 90] as const;
export type UsageRange = (typeof USAGE_RANGES)[number];

export const USAGE_GROUPINGS = ["day", "agent", "model"] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

const DEFAULT_RANGE: UsageRange = 30;
const DEFAULT_GROUPING: UsageGrouping = "day";
const DAY_MS = 24 * 3600 * 1000;

export interface UsageView {
  days: UsageRange;
  groupBy: UsageGrouping;
}

/** The days the API counts, both included, as `YYYY-MM-DD` in UTC (the API's days). */
export interface UsagePeriod {
  from: string;
  to: string;
}

export function isRange(value: number): value is UsageRange {
  return (USAGE_RANGES as readonly number[]).includes(value);
}

export function isGrouping(value: string | null): value is UsageGrouping {
  return (USAGE_GROUPINGS as readonly (string | null)[]).includes(value);
}

export function viewFromParams(params: URLSearchParams): UsageView {
  const days = Number(params.get("days"));
  const groupBy = params.get("group_by");
  return {
    days: isRange(days) ? days : DEFAULT_RANGE,
    groupBy: isGrouping(groupBy) ? groupBy : DEFAULT_GROUPING,
  };
}

/** Writes `view` into `params`, leaving out what is the default. */
export function writeView(params: URLSearchParams, view: UsageView): URLSearchParams {
  params.delete("days");
  params.delete("group_by");
  if (view.days !== DEFAULT_RANGE) {
    params.set("days", String(view.days));
  }
  if (view.groupBy !== DEFAULT_GROUPING) {
    params.set("group_by", view.groupBy);
  }
  return params;
}

/** The UTC day of an instant, as `YYYY-MM-DD`. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** The last `days` UTC days, today included. */
export function usagePeriod(days: number, now: Date = new Date()): UsagePeriod {
  return { from: utcDay(new Date(now.getTime() - (days - 1) * DAY_MS)), to: utcDay(now) };
}
