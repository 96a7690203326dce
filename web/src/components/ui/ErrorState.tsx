import type { ReactNode } from "react";

import { Button } from "./Button";

interface ErrorStateProps {
  title: string;
  message: string;
  /** Quoted so that support can find the request in the logs. */
  requestId?: string | null;
  onRetry?: () => void;
  retrying?: boolean;
  action?: ReactNode;
}

/** A failed load: what went wrong, and a way to try again. */
export function ErrorState({
  title,
  message,
  requestId,
  onRetry,
  retrying,
  action,
}: ErrorStateProps) {
  return (
    <div
      role="alert"
      className="glass flex flex-col items-center rounded-2xl border-rose-400/30 px-6 py-10 text-center"
    >
      <div className="mb-4 grid size-12 place-items-center rounded-full bg-rose-500/15 text-rose-300">
        <svg
          className="size-6"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          aria-hidden="true"
        >
          <path
            d="M12 8v5m0 3.5h.01M10.3 3.9 2.4 17.6A2 2 0 0 0 4.1 20.6h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
      </div>
      <h2 className="text-base font-semibold text-white">{title}</h2>
      <p className="mt-1.5 max-w-md text-sm text-slate-300">{message}</p>
      {requestId && (
        <p className="mt-2 text-xs text-slate-400">
          Request id <code className="font-mono text-slate-400">{requestId}</code>
        </p>
      )}
      {(onRetry ?? action) && (
        <div className="mt-5 flex gap-3">
          {onRetry && (
            <Button variant="secondary" onClick={onRetry} loading={retrying ?? false}>
              Try again
            </Button>
          )}
          {action}
        </div>
      )}
    </div>
  );
}
