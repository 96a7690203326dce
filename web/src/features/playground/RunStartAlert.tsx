import { Link } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { FormAlert } from "../../components/ui/FormAlert";
import { formErrors } from "../../lib/form-errors";
import { PlanLimitAlert, planLimitOf } from "../agents/PlanLimitAlert";

interface RunStartAlertProps {
  workspaceId: string;
  error: Error | null;
}

/**
 * Why a run could not start: no model provider (with the way to add one), the plan's
 * limit (with the way to a larger plan), or the problem's own words.
 */
export function RunStartAlert({ workspaceId, error }: RunStartAlertProps) {
  if (error === null) {
    return null;
  }
  const planLimit = planLimitOf(error);
  if (planLimit) {
    return <PlanLimitAlert planLimit={planLimit} workspaceId={workspaceId} />;
  }
  if (error instanceof ApiProblem && error.code === "no-provider-configured") {
    return (
      <Alert tone="error" title="No model provider can run this agent">
        <p>{error.message}</p>
        <Link
          to={`/w/${workspaceId}/providers`}
          className="mt-2 inline-block font-semibold underline"
        >
          Add a model provider
        </Link>
      </Alert>
    );
  }
  const errors = formErrors(error, []);
  return <FormAlert message={errors.message} requestId={errors.requestId} />;
}
