import { Badge } from "../../../components/ui/Badge";
import { Button } from "../../../components/ui/Button";
import { classNames } from "../../../lib/class-names";
import { formatDateTime } from "../../../lib/dates";
import type { Step } from "./graph-model";
import { contentDetails, contentSections } from "./step-content";
import { STEP_KIND_LABELS, STEP_STATUS_LABELS, stepTitle } from "./step-kinds";
import { ConfidenceMeter, StepFigures } from "./StepFigures";

interface StepPanelProps {
  step: Step;
  onClose: () => void;
}

/** Everything one step recorded, with its figures: the only step whose content is shown. */
export function StepPanel({ step, onClose }: StepPanelProps) {
  const details = contentDetails(step);
  const sections = contentSections(step);
  return (
    <aside
      aria-label={`Step ${step.sequence}`}
      data-testid="step-panel"
      data-step-id={step.id}
      data-sequence={step.sequence}
      className={classNames(
        "glass flex max-h-[40rem] min-w-0 flex-col rounded-2xl",
        // On a phone, a sheet over the bottom of the screen, the graph still in view above.
        "max-lg:fixed max-lg:inset-x-0 max-lg:bottom-0 max-lg:z-40 max-lg:max-h-[65vh] max-lg:rounded-b-none max-lg:bg-night-raised/95 max-lg:shadow-2xl max-lg:shadow-black/60",
      )}
    >
      <header className="flex items-start gap-3 border-b border-white/10 px-4 py-3">
        <div className="min-w-0">
          <p className="text-xs text-slate-400">
            Step {step.sequence} · {STEP_KIND_LABELS[step.kind]}
          </p>
          <h2 className="truncate text-base font-semibold text-white">{stepTitle(step)}</h2>
        </div>
        <div className="ml-auto flex shrink-0 items-center gap-2">
          <Badge
            tone={
              step.status === "done" ? "success" : step.status === "error" ? "danger" : "warning"
            }
          >
            {STEP_STATUS_LABELS[step.status] ?? step.status}
          </Badge>
          <Button variant="ghost" size="sm" onClick={onClose} aria-label="Close the step">
            ✕
          </Button>
        </div>
      </header>
      <div className="space-y-4 overflow-y-auto px-4 py-4">
        <StepFigures step={step} />
        <ConfidenceMeter confidence={step.confidence} />
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
          <dt className="text-slate-400">Started</dt>
          <dd>
            <time dateTime={step.started_at}>{formatDateTime(step.started_at)}</time>
          </dd>
          {details.map((detail) => (
            <Detail key={detail.label} label={detail.label} value={detail.value} />
          ))}
        </dl>
        {sections.length === 0 ? (
          <p className="text-sm text-slate-400">This step recorded no content.</p>
        ) : (
          sections.map((section) => (
            <section key={section.title} aria-label={section.title}>
              <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-slate-300 uppercase">
                {section.title}
              </h3>
              <pre
                data-format={section.format}
                className="max-h-80 overflow-auto rounded-lg bg-black/35 p-3 font-mono text-xs leading-relaxed break-words whitespace-pre-wrap text-slate-100"
              >
                {section.body}
              </pre>
            </section>
          ))
        )}
      </div>
    </aside>
  );
}

function Detail({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt className="text-slate-400">{label}</dt>
      <dd className="truncate font-mono" title={value}>
        {value}
      </dd>
    </>
  );
}
