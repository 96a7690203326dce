import { useId, useState, type ReactNode } from "react";

import { Button } from "../../components/ui/Button";

interface ExpandableSettingProps {
  title: string;
  /** The setting as it is, in a line. */
  summary: ReactNode;
  /** The form that changes it, shown once asked for. */
  children: ReactNode;
}

/**
 * A setting shown as its current value, with its form behind "Change": a region named by
 * its title, so the page reads as a short list until one is opened.
 */
export function ExpandableSetting({ title, summary, children }: ExpandableSettingProps) {
  const [open, setOpen] = useState(false);
  const titleId = useId();
  const panelId = useId();
  return (
    <section aria-labelledby={titleId} className="p-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h3 id={titleId} className="text-sm font-medium text-slate-200">
            {title}
          </h3>
          <p className="mt-0.5 text-sm break-words text-slate-400">{summary}</p>
        </div>
        <Button
          variant="secondary"
          size="sm"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => {
            setOpen(!open);
          }}
        >
          {open ? "Close" : "Change"}
        </Button>
      </div>
      <div id={panelId} hidden={!open} className="mt-5">
        {open && children}
      </div>
    </section>
  );
}
