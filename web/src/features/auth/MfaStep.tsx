import { useState, type SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import type { Me } from "../session/use-me";
import { useAbandonSignIn, useVerifyMfa } from "./hooks";

type Method = "code" | "recovery_code";

interface MfaStepProps {
  onVerified: (me: Me) => void;
  onStartOver: () => void;
}

/** Why the second step cannot go on, when it cannot: the user must start over. */
function deadEnd(error: unknown): string | null {
  if (!(error instanceof ApiProblem)) {
    return null;
  }
  if (error.status === 404 || error.status === 405) {
    return "This Luna server does not support two-factor sign-in, so the sign-in cannot be finished here. Ask your administrator.";
  }
  if (error.code === "unauthenticated") {
    return "This sign-in attempt has expired. Start again with your email and password.";
  }
  return null;
}

/** The second factor: a code from the authenticator app, or a recovery code. */
export function MfaStep({ onVerified, onStartOver }: MfaStepProps) {
  const [method, setMethod] = useState<Method>("code");
  const verify = useVerifyMfa();
  const abandon = useAbandonSignIn();
  const stuck = deadEnd(verify.error);
  // A wrong code is about the field; other problems are about the form.
  const rejectedCode =
    verify.error instanceof ApiProblem && verify.error.code === "mfa-code-invalid"
      ? verify.error
      : null;
  const errors = formErrors(stuck || rejectedCode ? null : verify.error, [method]);
  const fieldError = rejectedCode ? rejectedCode.message : errors.fields[method];

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = textField(new FormData(event.currentTarget), method).trim();
    verify.mutate(method === "code" ? { code: value } : { recovery_code: value }, {
      onSuccess: onVerified,
    });
  }

  function startOver() {
    // The half-signed-in session is ended on the server whatever happens here.
    abandon.mutate(undefined, { onSettled: onStartOver });
  }

  function switchMethod() {
    verify.reset();
    setMethod(method === "code" ? "recovery_code" : "code");
  }

  if (stuck) {
    return (
      <div className="space-y-5">
        <Alert tone="error">{stuck}</Alert>
        <Button
          variant="secondary"
          className="w-full"
          loading={abandon.isPending}
          onClick={startOver}
        >
          Start over
        </Button>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="space-y-5">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      {method === "code" ? (
        <TextField
          key="code"
          label="Authentication code"
          autoFocus
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          description="Six digits, from your authenticator app."
          error={fieldError}
        />
      ) : (
        <TextField
          key="recovery_code"
          label="Recovery code"
          autoFocus
          name="recovery_code"
          autoComplete="off"
          spellCheck={false}
          required
          description="One of the recovery codes you saved when you turned on two-factor authentication. Each works once."
          error={fieldError}
        />
      )}
      <Button type="submit" className="w-full" loading={verify.isPending}>
        Verify and sign in
      </Button>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <button type="button" onClick={switchMethod} className="text-luna-300 hover:text-luna-200">
          {method === "code" ? "Use a recovery code" : "Use the authenticator app"}
        </button>
        <button type="button" onClick={startOver} className="text-slate-400 hover:text-white">
          Sign in as someone else
        </button>
      </div>
    </form>
  );
}
