import { useId, type ReactNode, type RefObject } from "react";

interface SectionProps {
  title: string;
  description?: ReactNode;
  /** Lets the page move focus to the heading (it becomes focusable by script only). */
  headingRef?: RefObject<HTMLHeadingElement | null>;
  children: ReactNode;
}

/** A titled part of a page: a region named by its h2. */
export function Section({ title, description, headingRef, children }: SectionProps) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="space-y-4">
      <div>
        <h2
          id={headingId}
          ref={headingRef}
          tabIndex={headingRef ? -1 : undefined}
          className="text-lg font-semibold text-white focus:outline-none"
        >
          {title}
        </h2>
        {description && <div className="mt-1 max-w-2xl text-sm text-slate-400">{description}</div>}
      </div>
      {children}
    </section>
  );
}
