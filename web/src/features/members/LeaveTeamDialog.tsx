import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog } from "../../components/ui/Dialog";
import { formErrors } from "../../lib/form-errors";
import { meQueryKey } from "../session/use-me";
import { useLeaveTeam } from "./hooks";

interface LeaveTeamDialogProps {
  open: boolean;
  teamId: string;
  teamName: string;
  /** The caller is the team's only owner, whom the server does not let go. */
  lastOwner: boolean;
  onClose: () => void;
}

export function LeaveTeamDialog({ open, ...props }: LeaveTeamDialogProps) {
  return open ? <ConfirmLeaving {...props} /> : null;
}

function ConfirmLeaving({
  teamId,
  teamName,
  lastOwner,
  onClose,
}: Omit<LeaveTeamDialogProps, "open">) {
  const leave = useLeaveTeam(teamId);
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  if (lastOwner) {
    return (
      <Dialog
        open
        role="alertdialog"
        onClose={onClose}
        title={`You cannot leave ${teamName} yet`}
        description="You are the team's last owner. Make another member an owner first (choose Owner as their role), then leave."
      >
        <div className="flex justify-end">
          <Button variant="secondary" onClick={onClose}>
            Close
          </Button>
        </div>
      </Dialog>
    );
  }

  const busy = leave.isPending || leave.isSuccess;

  async function goHome() {
    // Without this team in the session, home is one of the user's other workspaces.
    await queryClient.invalidateQueries({ queryKey: meQueryKey });
    await navigate("/", { replace: true });
  }
  return (
    <ConfirmDialog
      title={`Leave ${teamName}?`}
      description="You lose access to the team's workspaces at once. To come back, you need a new invitation from an owner or admin."
      confirmLabel="Leave team"
      cancelLabel="Stay"
      busy={busy}
      error={formErrors(leave.error, [])}
      onClose={onClose}
      onConfirm={() => {
        leave.mutate(undefined, {
          onSuccess: () => void goHome(),
        });
      }}
    />
  );
}
