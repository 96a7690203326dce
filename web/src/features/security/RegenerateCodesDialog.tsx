import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { formErrors } from "../../lib/form-errors";
import { useRegenerateRecoveryCodes } from "./hooks";
import { RecoveryCodesDialog } from "./RecoveryCodes";
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
  const codes = regenerate.data?.codes;

  async function confirm(form: FormData) {
    if (await gate.proveIfAsked(form)) {
      regenerate.mutate();
    }
  }

  if (codes) {
    return (
      <RecoveryCodesDialog
        title="Save your new recovery codes"
        description="The old codes no longer work."
        codes={codes}
        onClose={onClose}
      />
    );
  }

  return (
    <ConfirmDialog
      title="Replace your recovery codes?"
      description="You get ten new codes, and every code you saved before stops working."
      confirmLabel="Replace codes"
      confirmVariant="primary"
      busy={regenerate.isPending || gate.stepUp.isPending}
      error={formErrors(gate.demand ? null : regenerate.error, [])}
      onClose={onClose}
      onConfirm={(form) => void confirm(form)}
    >
      <StepUpFields gate={gate} />
    </ConfirmDialog>
  );
}
