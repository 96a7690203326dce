import { classNames } from "../../lib/class-names";
import { ONBOARDING_STEPS, type Onboarding, type OnboardingStep } from "./hooks";

interface StepListProps {
  progress: Onboarding;
  /** The step on screen; null once every step is done. */
  shown: OnboardingStep | null;
  /** The first run was made but failed: its step is not shown as a success. */
  runFailed?: boolean;
}

/** The three steps, each marked done, current or still to do (in words, not colour alone). */
export function StepList({ progress, shown, runFailed = false }: StepListProps) {
  const done = new Map(progress.steps.map((step) => [step.key, step.done]));
  return (
    <ol aria-label="Setup steps" className="grid gap-3 sm:grid-cols-3">
      {ONBOARDING_STEPS.map((step, index) => {
        const current = step.key === shown;
        const failed = runFailed && step.key === "run";
        const finished = done.get(step.key) === true && !failed;
        return (
          <li
            key={step.key}
            aria-current={current ? "step" : undefined}
            className={classNames(
              "glass flex items-center gap-3 rounded-xl px-4 py-3",
              current && "ring-2 ring-luna-400",
            )}
          >
            <span
              aria-hidden="true"
              className={classNames(
                "grid size-8 shrink-0 place-items-center rounded-full text-sm font-semibold",
                finished && "bg-emerald-500/20 text-emerald-200",
                failed && "bg-rose-500/20 text-rose-200",
                !finished && !failed && "bg-white/10 text-slate-200",
              )}
            >
              {finished ? "✓" : failed ? "!" : index + 1}
            </span>
            <span className="min-w-0">
              <span className="block text-sm font-medium text-white">{step.title}</span>
              <span className="block text-xs text-slate-400">
                {finished ? "Done" : failed ? "Failed" : current ? "Current step" : "To do"}
              </span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
