import { ApiProblem, type Schemas } from "../../api/client";
import { textField } from "../../lib/form-data";
import { useStepUp } from "./hooks";

/** The names of the step-up fields in a form (see StepUpFields). */
export const STEP_UP_CODE = "step_up_code";
export const STEP_UP_RECOVERY_CODE = "step_up_recovery_code";

/**
 * Whether the API refused an action until the second factor is proven again: it answers
 * 401 `mfa-step-up-required` (src/luna/identity/mfa.py) when the user has two-factor
 * authentication on and has not proven it in this session in the last ten minutes.
 */
export function isStepUpRequired(error: unknown): error is ApiProblem {
  return error instanceof ApiProblem && error.code === "mfa-step-up-required";
}

/** The proof in a form's step-up fields: a recovery code when one was typed, else the code. */
export function proofFromForm(form: FormData): Schemas["MfaProof"] {
  const recoveryCode = textField(form, STEP_UP_RECOVERY_CODE).trim();
  if (recoveryCode) {
    return { recovery_code: recoveryCode };
  }
  return { code: textField(form, STEP_UP_CODE).trim() };
}

/**
 * For a form whose action may need a step-up: once the action's error asks for one
 * (`demand`), the form shows StepUpFields and `proveIfAsked` proves the second factor
 * before the action is tried again. Its failure shows in the fields (`stepUp.error`).
 */
export function useStepUpGate(actionError: unknown) {
  const stepUp = useStepUp();
  const demand = isStepUpRequired(actionError) ? actionError : null;

  async function proveIfAsked(form: FormData): Promise<boolean> {
    if (!demand) {
      return true;
    }
    try {
      await stepUp.mutateAsync(proofFromForm(form));
      return true;
    } catch {
      return false;
    }
  }

  return { demand, stepUp, proveIfAsked };
}

export type StepUpGate = ReturnType<typeof useStepUpGate>;
