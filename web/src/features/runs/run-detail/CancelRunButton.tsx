import { useState } from "react";

import { Button } from "../../../components/ui/Button";
import { Dialog } from "../../../components/ui/Dialog";
import { FormAlert } from "../../../components/ui/FormAlert";
import { formErrors } from "../../../lib/form-errors";
import { useCancelRun } from "./hooks";

/** Stops a run that has not finished, once confirmed. */
export function CancelRunButton({ workspaceId, runId }: { workspaceId: string; runId: string }) {
  const [confirming, setConfirming] = useState(false);
  const cancel = useCancelRun(workspaceId, runId);
  const errors = formErrors(cancel.error, []);
  const close = () => {
    setConfirming(false);
    cancel.reset();
  };
  return (
    <>
      <Button
        variant="secondary"
        onClick={() => {
          setConfirming(true);
        }}
      >
        Cancel run
      </Button>
      <Dialog
        open={confirming}
        role="alertdialog"
        onClose={close}
        dismissible={!cancel.isPending}
        title="Cancel this run?"
        description="Its model call and tools are interrupted and it ends as cancelled. This cannot be undone."
      >
        <div className="space-y-5">
          <FormAlert message={errors.message} requestId={errors.requestId} />
          <div className="flex justify-end gap-3">
            <Button variant="ghost" onClick={close} disabled={cancel.isPending}>
              Keep it running
            </Button>
            <Button
              variant="danger"
              loading={cancel.isPending}
              onClick={() => {
                cancel.mutate(undefined, { onSuccess: close });
              }}
            >
              Cancel run
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
