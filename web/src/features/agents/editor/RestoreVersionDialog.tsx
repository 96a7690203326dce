import { ApiProblem } from "../../../api/client";
import { Alert } from "../../../components/ui/Alert";
import { Button } from "../../../components/ui/Button";
import { Dialog } from "../../../components/ui/Dialog";
import { FormAlert } from "../../../components/ui/FormAlert";
import type { AgentDetail } from "../hooks";
import { useRestoreVersion } from "./hooks";

interface RestoreVersionDialogProps {
  workspaceId: string;
  agent: AgentDetail;
  /** The version to restore; the dialog is closed while null. */
  number: number | null;
  /** Whether the editor holds changes that restoring discards. */
  discardsChanges: boolean;
  onClose: () => void;
  onRestored: (agent: AgentDetail, restored: number) => void;
}

/** Asks before an earlier version's definition becomes the agent's current one. */
export function RestoreVersionDialog({ number, ...props }: RestoreVersionDialogProps) {
  // Mounted only while open: every opening starts without the last one's error.
  return number === null ? null : <RestoreVersionFlow number={number} {...props} />;
}

function RestoreVersionFlow({
  workspaceId,
  agent,
  number,
  discardsChanges,
  onClose,
  onRestored,
}: Omit<RestoreVersionDialogProps, "number"> & { number: number }) {
  const restore = useRestoreVersion(workspaceId, agent.id);
  const current = agent.current_version;
  const error = restore.error;
  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!restore.isPending}
      title={`Restore version ${number}?`}
      description={
        <>
          Its definition becomes version {current + 1}, which the agent runs from now on. Versions 1
          to {current} stay as they are, so this can be undone by restoring version {current}.
        </>
      }
    >
      <div className="space-y-4">
        {discardsChanges && (
          <Alert tone="warning">Your unsaved changes in the editor will be discarded.</Alert>
        )}
        <FormAlert
          message={error ? error.message : null}
          requestId={error instanceof ApiProblem ? error.requestId : null}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={restore.isPending}>
            Cancel
          </Button>
          <Button
            loading={restore.isPending}
            onClick={() => {
              restore.mutate(
                { number, expectedVersion: current },
                {
                  onSuccess: (restored) => {
                    onRestored(restored, number);
                  },
                },
              );
            }}
          >
            Restore version {number}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
