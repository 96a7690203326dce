import { useNavigate } from "react-router";

import { ApiProblem } from "../../../api/client";
import { ConfirmDialog } from "../../../components/ui/ConfirmDialog";
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
    <ConfirmDialog
      title={`Delete “${agent.name}”?`}
      description="The agent and all its versions are deleted for good. An agent that has runs cannot be deleted: archive it instead, by setting its status to Archived."
      confirmLabel="Delete agent"
      busy={remove.isPending}
      error={{
        message: error ? error.message : null,
        requestId: error instanceof ApiProblem ? error.requestId : null,
      }}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(undefined, {
          onSuccess: () => void navigate(`/w/${workspaceId}/agents`),
        });
      }}
    />
  );
}
