import type { SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
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
  const errors = formErrors(gate.demand ? null : remove.error, []);
  const busy = remove.isPending || gate.stepUp.isPending;

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await gate.proveIfAsked(new FormData(event.currentTarget))) {
      remove.mutate(undefined, { onSuccess: onRemoved });
    }
  }

  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!busy}
      title={`Remove single sign-on from ${teamName}?`}
      description="Members sign in with their passwords again. Those who joined through the provider and never set a password can reset one from the sign-in page."
    >
      <form onSubmit={(event) => void submit(event)} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
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
            Remove single sign-on
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
