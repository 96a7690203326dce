/** Small pieces the evaluation pages share: badges, pass-rate bars, progress. */
import { useId } from "react";

import { Badge } from "../../components/ui/Badge";
import { classNames } from "../../lib/class-names";
import { EVAL_RUN_STATUS, VERDICT, formatRate } from "./eval-format";
import type { EvalResult, EvalRunStatus } from "./hooks";

const BAR = classNames(
  "block h-1.5 appearance-none overflow-hidden rounded-full bg-white/8",
  "[&::-webkit-progress-bar]:bg-white/8 [&::-webkit-progress-value]:rounded-full",
  "[&::-moz-progress-bar]:rounded-full",
);

function rateFill(rate: number): string {
  return rate >= 0.8
    ? "[&::-moz-progress-bar]:bg-emerald-400 [&::-webkit-progress-value]:bg-emerald-400"
    : rate >= 0.5
      ? "[&::-moz-progress-bar]:bg-amber-300 [&::-webkit-progress-value]:bg-amber-300"
      : "[&::-moz-progress-bar]:bg-rose-400 [&::-webkit-progress-value]:bg-rose-400";
}

export function EvalRunBadge({ status }: { status: EvalRunStatus }) {
  const shown = EVAL_RUN_STATUS[status];
  return <Badge tone={shown.tone}>{shown.label}</Badge>;
}

export function VerdictBadge({ status }: { status: EvalResult["status"] }) {
  const shown = VERDICT[status];
  return <Badge tone={shown.tone}>{shown.label}</Badge>;
}

/** "75%" with a small bar after it (the bar is decoration; the number is read out). */
export function PassRate({ rate, wide = false }: { rate: number | null; wide?: boolean }) {
  return (
    <span className="inline-flex items-center justify-end gap-2">
      <span className="tabular-nums">{formatRate(rate)}</span>
      <progress
        aria-hidden="true"
        value={rate === null ? 0 : Math.round(rate * 100)}
        max={100}
        className={classNames(
          BAR,
          wide ? "hidden w-24 sm:block" : "w-12",
          rate !== null && rateFill(rate),
        )}
      />
    </span>
  );
}

/** How many of the cases a target has done, as a labelled bar. */
export function CaseProgress({
  label,
  done,
  total,
}: {
  label: string;
  done: number;
  total: number;
}) {
  const id = useId();
  return (
    <div className="space-y-1">
      <div className="flex items-baseline justify-between gap-3 text-xs">
        <label htmlFor={id} className="font-medium text-slate-200">
          {label}
        </label>
        <span className="text-slate-400 tabular-nums">
          {done} of {total} cases
        </span>
      </div>
      <progress
        id={id}
        value={Math.min(done, total)}
        max={Math.max(total, 1)}
        className={classNames(
          BAR,
          "w-full [&::-moz-progress-bar]:bg-luna-400 [&::-webkit-progress-value]:bg-luna-400",
        )}
      />
    </div>
  );
}
