import type { SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useDisableTotp } from "./hooks";
import { useStepUpGate } from "./step-up";
import { StepUpFields } from "./StepUpFields";

interface DisableTotpDialogProps {
  open: boolean;
  onClose: () => void;
  onDisabled: () => void;
}

export function DisableTotpDialog({ open, ...props }: DisableTotpDialogProps) {
  return open ? <ConfirmDisabling {...props} /> : null;
}

/** Turning two-factor authentication off: the password, and the second factor if the
 * session has not proven it lately. */
function ConfirmDisabling({ onClose, onDisabled }: Omit<DisableTotpDialogProps, "open">) {
  const disable = useDisableTotp();
  const gate = useStepUpGate(disable.error);
  const errors = formErrors(gate.demand ? null : disable.error, ["password"]);
  const busy = disable.isPending || gate.stepUp.isPending;

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (await gate.proveIfAsked(form)) {
      disable.mutate(textField(form, "password"), { onSuccess: onDisabled });
    }
  }

  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!busy}
      title="Turn off two-factor authentication?"
      description="Signing in will ask only for your password. Your authenticator app's key and every recovery code stop working."
    >
      <form onSubmit={(event) => void submit(event)} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <TextField
          label="Your password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={errors.fields.password}
        />
        {gate.demand && (
          <StepUpFields
            message={gate.demand.message}
            error={gate.stepUp.error}
            onSwitch={gate.stepUp.reset}
          />
        )}
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" loading={busy}>
            Turn off
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
