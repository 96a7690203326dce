import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { CurrentPasswordField } from "../auth/CurrentPasswordField";
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

  async function confirm(form: FormData) {
    if (await gate.proveIfAsked(form)) {
      disable.mutate(textField(form, "password"), { onSuccess: onDisabled });
    }
  }

  return (
    <ConfirmDialog
      title="Turn off two-factor authentication?"
      description="Signing in will ask only for your password. Your authenticator app's key and every recovery code stop working."
      confirmLabel="Turn off"
      busy={disable.isPending || gate.stepUp.isPending}
      error={errors}
      onClose={onClose}
      onConfirm={(form) => void confirm(form)}
    >
      <CurrentPasswordField error={errors.fields.password} />
      <StepUpFields gate={gate} />
    </ConfirmDialog>
  );
}
