import { Link } from "react-router";

import { buttonClasses } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { isOnboardingOpen, ONBOARDING_STEPS, useOnboarding } from "./hooks";

interface OnboardingCalloutProps {
  workspaceId: string;
  role: string;
  /** A demo workspace is set up already: it is never asked to finish a setup. */
  demo?: boolean;
}

/** On the workspace home, while setup is unfinished: where it stands and a way back in. */
export function OnboardingCallout({ workspaceId, role, demo = false }: OnboardingCalloutProps) {
  // Viewers can do none of the steps, so they are not asked to.
  const asked = role !== "viewer" && !demo;
  const progress = useOnboarding(workspaceId, asked);
  if (!asked || !progress.data || !isOnboardingOpen(progress.data)) {
    return null;
  }
  const done = progress.data.steps.filter((step) => step.done).length;
  const next = ONBOARDING_STEPS.find((step) => step.key === progress.data.current_step);
  return (
    <Card className="mb-8 flex flex-wrap items-center justify-between gap-4 p-5">
      <div>
        <h2 className="font-semibold text-white">Finish setting up</h2>
        <p className="text-sm text-slate-400">
          {done} of {ONBOARDING_STEPS.length} steps done
          {next ? `; next: ${next.title.toLowerCase()}` : ""}.
        </p>
      </div>
      <Link to={`/w/${workspaceId}/onboarding`} className={buttonClasses("primary")}>
        Continue setup
      </Link>
    </Card>
  );
}
