import { useNavigate } from "react-router";

import { ApiProblem } from "../../../api/client";
import { Button } from "../../../components/ui/Button";
import { Dialog } from "../../../components/ui/Dialog";
import { FormAlert } from "../../../components/ui/FormAlert";
import type { AgentDetail } from "../hooks";
import { useDeleteAgent } from "./hooks";

interface DeleteAgentDialogProps {
  workspaceId: string;
  agent: AgentDetail;
  open: boolean;
  onClose: () => void;
}

/** Asks before deleting an agent and its versions; one that has runs can only be archived. */
export function DeleteAgentDialog({ open, ...props }: DeleteAgentDialogProps) {
  return open ? <DeleteAgentFlow {...props} /> : null;
}

function DeleteAgentFlow({ workspaceId, agent, onClose }: Omit<DeleteAgentDialogProps, "open">) {
  const navigate = useNavigate();
  const remove = useDeleteAgent(workspaceId, agent.id);
  const error = remove.error;
  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!remove.isPending}
      title={`Delete “${agent.name}”?`}
      description="The agent and all its versions are deleted for good. An agent that has runs cannot be deleted: archive it instead, by setting its status to Archived."
    >
      <div className="space-y-4">
        <FormAlert
          message={error ? error.message : null}
          requestId={error instanceof ApiProblem ? error.requestId : null}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={remove.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            loading={remove.isPending}
            onClick={() => {
              remove.mutate(undefined, {
                onSuccess: () => void navigate(`/w/${workspaceId}/agents`),
              });
            }}
          >
            Delete agent
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
