import { useState } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { formErrors } from "../../lib/form-errors";
import { STEP_UP_CODE, STEP_UP_RECOVERY_CODE, type StepUpGate } from "./step-up";

/**
 * The second factor again, inside the form of an action that needs a recent step-up: shown
 * once the action's error asks for one, fresh each time it does.
 */
export function StepUpFields({ gate }: { gate: StepUpGate }) {
  if (!gate.demand) {
    return null;
  }
  return (
    <StepUpProof
      message={gate.demand.message}
      error={gate.stepUp.error}
      onSwitch={gate.stepUp.reset}
    />
  );
}

interface StepUpProofProps {
  /** Why the action waits: the API's `mfa-step-up-required` message. */
  message: string;
  /** The failed step-up, if any: a wrong code shows next to the field. */
  error: unknown;
  /** Called when the user switches between the app's code and a recovery code. */
  onSwitch: () => void;
}

/** The app's code, or a recovery code instead. */
function StepUpProof({ message, error, onSwitch }: StepUpProofProps) {
  const [useRecoveryCode, setUseRecoveryCode] = useState(false);
  const wrongCode = error instanceof ApiProblem && error.code === "mfa-code-invalid";
  const field = useRecoveryCode ? "recovery_code" : "code";
  const errors = formErrors(wrongCode ? null : error, [field]);
  const fieldError = wrongCode ? error.message : errors.fields[field];

  return (
    <div className="space-y-3 rounded-xl border border-amber-300/25 bg-amber-400/6 p-4">
      <Alert tone="warning" title="Confirm it is you">
        {message}
      </Alert>
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {useRecoveryCode ? (
        <TextField
          key="recovery"
          label="Recovery code"
          name={STEP_UP_RECOVERY_CODE}
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          description="One of your saved recovery codes; it works once."
          error={fieldError}
        />
      ) : (
        <TextField
          key="code"
          label="Authentication code"
          name={STEP_UP_CODE}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          autoFocus
          description="Six digits, from your authenticator app."
          error={fieldError}
        />
      )}
      <button
        type="button"
        className="text-sm text-luna-300 hover:text-luna-200"
        onClick={() => {
          setUseRecoveryCode(!useRecoveryCode);
          onSwitch();
        }}
      >
        {useRecoveryCode ? "Use the authenticator app" : "Use a recovery code"}
      </button>
    </div>
  );
}
