import type { ReactNode } from "react";

import { classNames } from "../../lib/class-names";

export type BadgeTone = "neutral" | "brand" | "success" | "warning" | "danger";

const TONES: Record<BadgeTone, string> = {
  neutral: "bg-white/8 text-slate-300 ring-white/12",
  brand: "bg-luna-500/15 text-luna-200 ring-luna-400/30",
  success: "bg-emerald-500/12 text-emerald-200 ring-emerald-400/30",
  warning: "bg-amber-400/12 text-amber-100 ring-amber-300/30",
  danger: "bg-rose-500/12 text-rose-200 ring-rose-400/30",
};

export function Badge({ tone = "neutral", children }: { tone?: BadgeTone; children: ReactNode }) {
  return (
    <span
      className={classNames(
        "inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset",
        TONES[tone],
      )}
    >
      {children}
    </span>
  );
}
