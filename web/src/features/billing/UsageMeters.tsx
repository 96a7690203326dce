import { useId } from "react";

import { classNames } from "../../lib/class-names";
import type { EntitlementUse } from "./hooks";
import { entitlementLabel } from "./plan-details";

/** The bar's colour: violet, amber from 80 % of the limit, rose at the limit. */
function meterClasses(used: number, limit: number): string {
  const share = limit === 0 ? 1 : used / limit;
  const fill =
    share >= 1
      ? "[&::-moz-progress-bar]:bg-rose-400 [&::-webkit-progress-value]:bg-rose-400"
      : share >= 0.8
        ? "[&::-moz-progress-bar]:bg-amber-300 [&::-webkit-progress-value]:bg-amber-300"
        : "[&::-moz-progress-bar]:bg-luna-400 [&::-webkit-progress-value]:bg-luna-400";
  return classNames(
    "block h-2 w-full appearance-none overflow-hidden rounded-full bg-white/8",
    "[&::-webkit-progress-bar]:bg-white/8 [&::-webkit-progress-value]:rounded-full",
    "[&::-moz-progress-bar]:rounded-full",
    fill,
  );
}

function UsageMeter({ use }: { use: EntitlementUse }) {
  const id = useId();
  const label = entitlementLabel(use.entitlement);
  const used = use.used.toLocaleString();
  if (use.limit === null) {
    return (
      <li className="space-y-1.5">
        <div className="flex items-baseline justify-between gap-3 text-sm">
          <span className="font-medium text-slate-200">{label}</span>
          <span className="text-slate-400">{used} · Unlimited</span>
        </div>
      </li>
    );
  }
  return (
    <li className="space-y-1.5">
      <div className="flex items-baseline justify-between gap-3 text-sm">
        <label htmlFor={id} className="font-medium text-slate-200">
          {label}
        </label>
        <span id={`${id}-figures`} className="text-slate-400">
          {used} of {use.limit.toLocaleString()}
          {use.used >= use.limit && <span className="ml-1.5 text-rose-300">(limit reached)</span>}
        </span>
      </div>
      <progress
        id={id}
        value={Math.min(use.used, use.limit)}
        max={Math.max(use.limit, 1)}
        aria-describedby={`${id}-figures`}
        className={meterClasses(use.used, use.limit)}
      />
    </li>
  );
}

/** Today's use of each of the plan's limits. */
export function UsageMeters({ usage }: { usage: EntitlementUse[] }) {
  if (usage.length === 0) {
    return <p className="text-sm text-slate-400">This plan has no limits to track.</p>;
  }
  return (
    <ul className="space-y-4" aria-label="Use of the plan's limits">
      {usage.map((use) => (
        <UsageMeter key={use.entitlement} use={use} />
      ))}
    </ul>
  );
}
