import type { SubmitEvent } from "react";
import { Link } from "react-router";

import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import type { Me } from "../session/use-me";
import { CurrentPasswordField } from "./CurrentPasswordField";
import { useSignIn } from "./hooks";

interface PasswordStepProps {
  onSignedIn: (me: Me | null | undefined) => void;
  onMfaRequired: () => void;
}

export function PasswordStep({ onSignedIn, onMfaRequired }: PasswordStepProps) {
  const signIn = useSignIn();
  const errors = formErrors(signIn.error, ["email", "password"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    signIn.mutate(
      { email: textField(form, "email"), password: textField(form, "password") },
      {
        onSuccess: (result) => {
          if (result.mfa_required) {
            onMfaRequired();
          } else {
            onSignedIn(result.me);
          }
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-5">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        error={errors.fields.email}
      />
      <div className="space-y-1.5">
        <CurrentPasswordField label="Password" error={errors.fields.password} />
        <p className="text-right text-xs">
          <Link to="/forgot-password" className="text-luna-300 hover:text-luna-200">
            Forgot your password?
          </Link>
        </p>
      </div>
      <Button type="submit" className="w-full" loading={signIn.isPending}>
        Sign in
      </Button>
    </form>
  );
}
