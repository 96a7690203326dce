import { useState, type SubmitEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { AuthHeading } from "./AuthLayout";
import { useResetPassword } from "./hooks";
import { NewPasswordField } from "./NewPasswordField";

function AskForANewLink() {
  return (
    <Link to="/forgot-password" className={buttonClasses("secondary")}>
      Ask for a new link
    </Link>
  );
}

/** Reached from the emailed link `/reset-password?token=...`. */
export function ResetPasswordPage() {
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token");
  const reset = useResetPassword();
  const [mismatch, setMismatch] = useState(false);
  const errors = formErrors(reset.error, ["password"]);
  const tokenRejected = reset.error !== null && errors.fields.password === undefined;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = textField(form, "password");
    const differs = password !== textField(form, "confirm_password");
    setMismatch(differs);
    if (!differs && token) {
      reset.mutate({ token, password });
    }
  }

  if (!token) {
    return (
      <>
        <AuthHeading title="This link is incomplete" />
        <div className="space-y-5">
          <Alert tone="error">
            The reset link has no token. Open the link from the email again, or ask for a new one.
          </Alert>
          <AskForANewLink />
        </div>
      </>
    );
  }

  if (reset.isSuccess) {
    return (
      <>
        <AuthHeading title="Password changed" />
        <div className="space-y-5">
          <Alert tone="success">
            Your new password is set, and every device that was signed in has been signed out.
          </Alert>
          <Link to="/sign-in?reason=password-reset" className={buttonClasses("primary")}>
            Sign in
          </Link>
        </div>
      </>
    );
  }

  return (
    <>
      <AuthHeading title="Choose a new password">
        Every device signed in to your account will be signed out.
      </AuthHeading>
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        {tokenRejected && <AskForANewLink />}
        <NewPasswordField
          label="New password"
          name="password"
          description="10 to 128 characters."
          error={errors.fields.password}
        />
        <TextField
          label="Repeat the new password"
          name="confirm_password"
          type="password"
          autoComplete="new-password"
          required
          error={mismatch ? "The two passwords are not the same." : undefined}
        />
        <Button type="submit" className="w-full" loading={reset.isPending}>
          Set new password
        </Button>
      </form>
    </>
  );
}
