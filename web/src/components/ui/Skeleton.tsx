import type { ReactNode } from "react";

import { classNames } from "../../lib/class-names";

/** A placeholder block shown while content loads; hidden from assistive technology. */
export function Skeleton({ className }: { className?: string }) {
  return (
    <div
      aria-hidden="true"
      className={classNames("rounded-md bg-white/8 motion-safe:animate-shimmer", className)}
    />
  );
}

/** Announces loading once, for the skeletons that follow it. */
export function LoadingRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true">
      <span className="sr-only">{label}</span>
      {children}
    </div>
  );
}

/** Rows of skeleton lines shaped like a table. */
export function TableSkeleton({ rows = 3, label }: { rows?: number; label: string }) {
  return (
    <LoadingRegion label={label}>
      <div className="glass space-y-3 rounded-2xl p-5">
        <Skeleton className="h-4 w-1/3" />
        {Array.from({ length: rows }, (_, index) => (
          <div key={index} className="flex gap-4">
            <Skeleton className="h-9 flex-1" />
            <Skeleton className="h-9 w-24" />
          </div>
        ))}
      </div>
    </LoadingRegion>
  );
}
