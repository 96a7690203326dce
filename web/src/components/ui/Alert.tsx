import type { ReactNode } from "react";

import { classNames } from "../../lib/class-names";

export type AlertTone = "error" | "warning" | "info" | "success";

const TONES: Record<AlertTone, string> = {
  error: "border-rose-400/40 bg-rose-500/10 text-rose-100",
  warning: "border-amber-300/40 bg-amber-400/10 text-amber-50",
  info: "border-halo/35 bg-cyan-400/10 text-cyan-50",
  success: "border-emerald-400/40 bg-emerald-500/10 text-emerald-50",
};

const ICONS: Record<AlertTone, string> = {
  error:
    "M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16ZM9.25 6a.75.75 0 0 1 1.5 0v4.5a.75.75 0 0 1-1.5 0V6ZM10 14.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z",
  warning:
    "M8.49 2.87a1.75 1.75 0 0 1 3.02 0l6.28 10.88A1.75 1.75 0 0 1 16.28 16.4H3.72a1.75 1.75 0 0 1-1.51-2.63L8.49 2.87ZM10 6.5a.75.75 0 0 0-.75.75v3.5a.75.75 0 0 0 1.5 0v-3.5A.75.75 0 0 0 10 6.5Zm0 7.5a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z",
  info: "M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm-.75-9.5a.75.75 0 0 1 1.5 0v5a.75.75 0 0 1-1.5 0v-5ZM10 7a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z",
  success:
    "M10 18a8 8 0 1 0 0-16 8 8 0 0 0 0 16Zm3.86-10.19a.75.75 0 0 0-1.22-.87l-3.24 4.53-1.63-1.63a.75.75 0 1 0-1.06 1.06l2.25 2.25a.75.75 0 0 0 1.14-.1l3.76-5.24Z",
};

interface AlertProps {
  tone?: AlertTone;
  title?: string;
  children?: ReactNode;
  className?: string;
}

/** A message about the page or a form. Errors are announced at once; the rest politely. */
export function Alert({ tone = "info", title, children, className }: AlertProps) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={classNames(
        "flex gap-3 rounded-lg border px-3.5 py-3 text-sm motion-safe:animate-fade-in",
        TONES[tone],
        className,
      )}
    >
      <svg
        className="mt-0.5 size-4 shrink-0"
        viewBox="0 0 20 20"
        fill="currentColor"
        aria-hidden="true"
      >
        <path fillRule="evenodd" d={ICONS[tone]} clipRule="evenodd" />
      </svg>
      <div className="min-w-0 space-y-1">
        {title && <p className="font-semibold">{title}</p>}
        {children && <div>{children}</div>}
      </div>
    </div>
  );
}
