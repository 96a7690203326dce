import { useState, type SubmitEvent } from "react";

import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { CurrentPasswordField } from "../auth/CurrentPasswordField";
import { NEW_PASSWORD_MAX_LENGTH, NewPasswordField } from "../auth/NewPasswordField";
import { useChangePassword } from "./hooks";

const FIELDS = ["current_password", "new_password"] as const;

/** The current password and a new one, typed twice. Other browsers are signed out. */
export function ChangePasswordForm() {
  const change = useChangePassword();
  const [mismatch, setMismatch] = useState(false);
  const errors = formErrors(change.error, FIELDS);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = textField(form, "new_password");
    const matches = newPassword === textField(form, "confirm_password");
    setMismatch(!matches);
    if (!matches) {
      change.reset();
      return;
    }
    change.mutate(
      { current_password: textField(form, "current_password"), new_password: newPassword },
      {
        onSuccess: () => {
          formElement.reset();
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-5">
      {change.isSuccess && (
        <Alert tone="success">
          Your password is changed. Every other browser signed in to your account is signed out.
        </Alert>
      )}
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <CurrentPasswordField
        label="Current password"
        name="current_password"
        error={errors.fields.current_password}
      />
      <div className="grid gap-5 sm:grid-cols-2">
        <NewPasswordField
          label="New password"
          name="new_password"
          description="At least 10 characters, and not a common password."
          error={errors.fields.new_password}
        />
        <TextField
          label="New password again"
          name="confirm_password"
          type="password"
          autoComplete="new-password"
          required
          maxLength={NEW_PASSWORD_MAX_LENGTH}
          error={mismatch ? "The two new passwords are not the same." : undefined}
        />
      </div>
      <div className="flex justify-end">
        <Button type="submit" loading={change.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}
