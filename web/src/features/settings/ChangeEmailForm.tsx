import type { SubmitEvent } from "react";

import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { CurrentPasswordField } from "../auth/CurrentPasswordField";
import { useChangeEmail } from "./hooks";

const FIELDS = ["new_email", "password"] as const;

/** Asks to move the account to a new address: it changes once the emailed link is opened. */
export function ChangeEmailForm({ currentEmail }: { currentEmail: string }) {
  const change = useChangeEmail();
  const errors = formErrors(change.error, FIELDS);
  const requested = change.isSuccess ? change.variables.new_email : null;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    change.mutate(
      { new_email: textField(form, "new_email").trim(), password: textField(form, "password") },
      {
        onSuccess: () => {
          formElement.reset();
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-5">
      {requested && (
        <Alert tone="success" title="Check your new inbox">
          We sent a link to <strong>{requested}</strong>. Your address changes when you open it,
          within 24 hours; until then you sign in as {currentEmail}.
        </Alert>
      )}
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <div className="grid gap-5 sm:grid-cols-2">
        <TextField
          label="New email address"
          name="new_email"
          type="email"
          autoComplete="email"
          required
          maxLength={320}
          error={errors.fields.new_email}
        />
        <CurrentPasswordField description="To confirm it is you." error={errors.fields.password} />
      </div>
      <div className="flex justify-end">
        <Button type="submit" loading={change.isPending}>
          Send confirmation link
        </Button>
      </div>
    </form>
  );
}
