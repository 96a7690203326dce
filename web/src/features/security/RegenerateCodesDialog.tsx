import type { SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { formErrors } from "../../lib/form-errors";
import { useRegenerateRecoveryCodes } from "./hooks";
import { RecoveryCodes } from "./RecoveryCodes";
import { useStepUpGate } from "./step-up";
import { StepUpFields } from "./StepUpFields";

interface RegenerateCodesDialogProps {
  open: boolean;
  onClose: () => void;
}

export function RegenerateCodesDialog({ open, onClose }: RegenerateCodesDialogProps) {
  return open ? <RegenerateCodesFlow onClose={onClose} /> : null;
}

/** New recovery codes replace the old ones, after a confirmation (and a step-up when the
 * session has not proven the second factor lately). */
function RegenerateCodesFlow({ onClose }: { onClose: () => void }) {
  const regenerate = useRegenerateRecoveryCodes();
  const gate = useStepUpGate(regenerate.error);
  const errors = formErrors(gate.demand ? null : regenerate.error, []);
  const busy = regenerate.isPending || gate.stepUp.isPending;
  const codes = regenerate.data?.codes;

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await gate.proveIfAsked(new FormData(event.currentTarget))) {
      regenerate.mutate();
    }
  }

  if (codes) {
    return (
      <Dialog
        open
        onClose={onClose}
        dismissible={false}
        size="lg"
        title="Save your new recovery codes"
        description="The old codes no longer work."
      >
        <RecoveryCodes codes={codes} onDone={onClose} />
      </Dialog>
    );
  }

  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!busy}
      title="Replace your recovery codes?"
      description="You get ten new codes, and every code you saved before stops working."
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
          <Button type="submit" loading={busy}>
            Replace codes
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
