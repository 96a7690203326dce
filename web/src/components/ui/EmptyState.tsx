import type { ReactNode } from "react";

interface EmptyStateProps {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}

/** What a list shows when it has nothing yet, and what to do about it. */
export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <div className="glass flex flex-col items-center rounded-2xl px-6 py-12 text-center motion-safe:animate-fade-in">
      <div className="mb-4 grid size-12 place-items-center rounded-full bg-luna-500/15 text-luna-300">
        <svg
          className="size-6"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          aria-hidden="true"
        >
          <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5Z" strokeLinejoin="round" />
        </svg>
      </div>
      <h2 className="text-base font-semibold text-white">{title}</h2>
      {children && <div className="mt-1.5 max-w-md text-sm text-slate-400">{children}</div>}
      {action && <div className="mt-5">{action}</div>}
    </div>
  );
}
