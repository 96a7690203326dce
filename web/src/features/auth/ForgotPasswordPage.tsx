import type { SubmitEvent } from "react";
import { Link } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { AuthHeading } from "./AuthLayout";
import { useForgotPassword } from "./hooks";

export function ForgotPasswordPage() {
  const forgot = useForgotPassword();
  const errors = formErrors(forgot.error, ["email"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    forgot.mutate({ email: textField(new FormData(event.currentTarget), "email") });
  }

  return (
    <>
      <AuthHeading title="Reset your password">
        We will email you a link to choose a new password.
      </AuthHeading>
      {forgot.isSuccess ? (
        <Alert tone="success" title="Check your inbox">
          If an account uses {forgot.variables.email}, a reset link is on its way. It works once,
          for one hour.
        </Alert>
      ) : (
        <form onSubmit={submit} className="space-y-5">
          <FormAlert message={errors.message} requestId={errors.requestId} />
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={errors.fields.email}
          />
          <Button type="submit" className="w-full" loading={forgot.isPending}>
            Email me a reset link
          </Button>
        </form>
      )}
      <p className="mt-6 text-center text-sm text-slate-400">
        <Link to="/sign-in" className="font-medium text-luna-300 hover:text-luna-200">
          Back to sign in
        </Link>
      </p>
    </>
  );
}
