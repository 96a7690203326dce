import { PendingApprovalList, usePendingApprovals } from "../runs/run-detail/ApprovalsPanel";

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
  const waiting = usePendingApprovals(workspaceId, runId);
  const { pending } = waiting;
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
      <PendingApprovalList
        workspaceId={workspaceId}
        runId={runId}
        canDecide={canDecide}
        waiting={waiting}
        className="space-y-2"
      />
    </div>
  );
}
