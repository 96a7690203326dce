import { FormAlert } from "../../components/ui/FormAlert";
import { Skeleton } from "../../components/ui/Skeleton";
import { ApprovalItem } from "../runs/run-detail/ApprovalsPanel";
import { useApprovals } from "../runs/run-detail/hooks";

interface ChatApprovalsProps {
  workspaceId: string;
  runId: string;
  canDecide: boolean;
}

/**
 * The tool calls a run paused on, in the conversation: each with Approve and Reject.
 * Once decided, the run resumes and its stream goes on.
 */
export function ChatApprovals({ workspaceId, runId, canDecide }: ChatApprovalsProps) {
  const approvals = useApprovals(workspaceId, runId);
  const pending = (approvals.data ?? []).filter((approval) => approval.status === "pending");
  return (
    <div
      role="group"
      aria-label="Tool calls waiting for approval"
      data-testid="chat-approvals"
      className="space-y-2 rounded-xl border border-amber-300/30 bg-amber-400/5 p-3"
    >
      <p className="text-sm text-amber-50">
        The agent wants to call {pending.length === 1 ? "a tool" : "tools"}. Approve or reject
        {pending.length === 1 ? " the call" : " each call"} to let the run go on.
      </p>
      {approvals.isPending ? (
        <Skeleton className="h-16" />
      ) : approvals.isError ? (
        <FormAlert message={approvals.error.message} requestId={null} />
      ) : (
        <ul className="space-y-2">
          {pending.map((approval) => (
            <ApprovalItem
              key={approval.id}
              workspaceId={workspaceId}
              runId={runId}
              approval={approval}
              canDecide={canDecide}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
