import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { formErrors } from "../../lib/form-errors";
import { useRemoveSsoConfig } from "./hooks";
import { useStepUpGate } from "./step-up";
import { StepUpFields } from "./StepUpFields";

interface RemoveSsoDialogProps {
  open: boolean;
  teamId: string;
  teamName: string;
  onClose: () => void;
  onRemoved: () => void;
}

export function RemoveSsoDialog({ open, ...props }: RemoveSsoDialogProps) {
  return open ? <ConfirmRemoving {...props} /> : null;
}

function ConfirmRemoving({
  teamId,
  teamName,
  onClose,
  onRemoved,
}: Omit<RemoveSsoDialogProps, "open">) {
  const remove = useRemoveSsoConfig(teamId);
  const gate = useStepUpGate(remove.error);

  async function confirm(form: FormData) {
    if (await gate.proveIfAsked(form)) {
      remove.mutate(undefined, { onSuccess: onRemoved });
    }
  }

  return (
    <ConfirmDialog
      title={`Remove single sign-on from ${teamName}?`}
      description="Members sign in with their passwords again. Those who joined through the provider and never set a password can reset one from the sign-in page."
      confirmLabel="Remove single sign-on"
      busy={remove.isPending || gate.stepUp.isPending}
      error={formErrors(gate.demand ? null : remove.error, [])}
      onClose={onClose}
      onConfirm={(form) => void confirm(form)}
    >
      <StepUpFields gate={gate} />
    </ConfirmDialog>
  );
}
