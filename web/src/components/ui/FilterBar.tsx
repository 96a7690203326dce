import type { ReactNode } from "react";

interface FilterBarProps {
  /** What the filters narrow, for the search landmark's name: "Runs". */
  label: string;
  children: ReactNode;
}

/** The filters above a list: a search landmark, its fields side by side on wide screens. */
export function FilterBar({ label, children }: FilterBarProps) {
  return (
    <div
      role="search"
      aria-label={label}
      className="mb-4 flex flex-col gap-4 sm:flex-row sm:items-end"
    >
      {children}
    </div>
  );
}
