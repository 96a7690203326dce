import { Link } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { FormAlert } from "../../components/ui/FormAlert";
import { planName } from "./plans";

const ENTITLEMENT_PREFIX = "entitlement-exceeded:";

/** What an `entitlement-exceeded` problem says about the team's plan. */
export interface PlanLimit {
  message: string;
  limit: number | null;
  current: number | null;
  upgradePlan: string | null;
}

/** The plan limit a failed request ran into, or null for any other failure. */
export function planLimitOf(error: unknown): PlanLimit | null {
  if (!(error instanceof ApiProblem) || !error.code.startsWith(ENTITLEMENT_PREFIX)) {
    return null;
  }
  const { problem } = error;
  return {
    message: problem.detail,
    limit: typeof problem.limit === "number" ? problem.limit : null,
    current: typeof problem.current === "number" ? problem.current : null,
    upgradePlan: typeof problem.upgrade_plan === "string" ? problem.upgrade_plan : null,
  };
}

interface PlanLimitAlertProps {
  planLimit: PlanLimit;
  workspaceId: string;
}

/** The limit, how much of it is in use, and a link to a plan that has room. */
export function PlanLimitAlert({ planLimit, workspaceId }: PlanLimitAlertProps) {
  return (
    <Alert tone="warning" title="Your plan's limit is reached">
      <p>{planLimit.message}</p>
      {planLimit.limit !== null && planLimit.limit > 0 && planLimit.current !== null && (
        <p className="mt-1">
          In use: {planLimit.current} of {planLimit.limit}.
        </p>
      )}
      <Link to={`/w/${workspaceId}/billing`} className="mt-2 inline-block font-semibold underline">
        {planLimit.upgradePlan ? `Upgrade to ${planName(planLimit.upgradePlan)}` : "See the plans"}
      </Link>
    </Alert>
  );
}

interface PlanLimitOrFormAlertProps {
  /** The limit the request ran into, if that is why it failed. */
  planLimit: PlanLimit | null;
  /** Any other failure, for the form's own alert. */
  error: { message: string | null; requestId: string | null };
  workspaceId: string;
}

/** Above a form: the plan's limit with the way to a larger plan, else the form's error. */
export function PlanLimitOrFormAlert({ planLimit, error, workspaceId }: PlanLimitOrFormAlertProps) {
  return planLimit ? (
    <PlanLimitAlert planLimit={planLimit} workspaceId={workspaceId} />
  ) : (
    <FormAlert message={error.message} requestId={error.requestId} />
  );
}
