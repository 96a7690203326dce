import { useId, useState } from "react";

import { Button } from "../../../components/ui/Button";
import { FormAlert } from "../../../components/ui/FormAlert";
import { Skeleton } from "../../../components/ui/Skeleton";
import { formErrors } from "../../../lib/form-errors";
import { useApprovals, useDecideApproval, type Approval } from "./hooks";

interface ApprovalsPanelProps {
  workspaceId: string;
  runId: string;
  /** Viewers see the calls but cannot decide. */
  canDecide: boolean;
}

/** The tool calls the run paused on, each with a way to approve or reject it. */
export function ApprovalsPanel({ workspaceId, runId, canDecide }: ApprovalsPanelProps) {
  const waiting = usePendingApprovals(workspaceId, runId);
  return (
    <section
      aria-label="Waiting for approval"
      className="glass mb-6 space-y-3 rounded-2xl border-amber-300/30 px-4 py-4"
    >
      <h2 className="text-base font-semibold text-white">Waiting for approval</h2>
      <p className="text-sm text-slate-300">
        The run paused before these tool calls. Once each is decided, it resumes: approved calls
        run, rejected ones are reported to the model with the reason.
      </p>
      <PendingApprovalList
        workspaceId={workspaceId}
        runId={runId}
        canDecide={canDecide}
        waiting={waiting}
        className="space-y-3"
      />
    </section>
  );
}

/** A run's approvals as loaded, and the tool calls among them still waiting for a decision. */
export function usePendingApprovals(workspaceId: string, runId: string) {
  const approvals = useApprovals(workspaceId, runId);
  const pending = (approvals.data ?? []).filter((approval) => approval.status === "pending");
  return { approvals, pending };
}

interface PendingApprovalListProps extends ApprovalsPanelProps {
  waiting: ReturnType<typeof usePendingApprovals>;
  /** The list's spacing. */
  className: string;
}

/** The tool calls waiting for a decision, one item each, once they are loaded. */
export function PendingApprovalList({
  workspaceId,
  runId,
  canDecide,
  waiting: { approvals, pending },
  className,
}: PendingApprovalListProps) {
  if (approvals.isPending) {
    return <Skeleton className="h-16" />;
  }
  if (approvals.isError) {
    return <FormAlert message={approvals.error.message} requestId={null} />;
  }
  return (
    <ul className={className}>
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
  );
}

/** One paused tool call: its name and arguments, and (for members) Approve and Reject. */
function ApprovalItem({
  workspaceId,
  runId,
  approval,
  canDecide,
}: Omit<ApprovalsPanelProps, "canDecide"> & { approval: Approval; canDecide: boolean }) {
  const decide = useDecideApproval(workspaceId, runId);
  const [reason, setReason] = useState("");
  const reasonId = useId();
  const errors = formErrors(decide.error, []);
  const send = (approved: boolean) => {
    decide.mutate({
      tool_call_id: approval.tool_call_id,
      approved,
      reason: approved || !reason.trim() ? null : reason.trim(),
    });
  };
  return (
    <li className="space-y-2 rounded-xl bg-black/25 p-3" data-testid="approval">
      <p className="text-sm">
        <code className="font-mono text-amber-200">{approval.tool_name}</code>
      </p>
      <pre className="max-h-48 overflow-auto rounded-lg bg-black/35 p-2 font-mono text-xs whitespace-pre-wrap text-slate-100">
        {JSON.stringify(approval.arguments, null, 2)}
      </pre>
      {canDecide && (
        <div className="flex flex-wrap items-end gap-2">
          <div className="min-w-48 flex-1 space-y-1">
            <label htmlFor={reasonId} className="block text-xs text-slate-300">
              Reason, if you reject it (told to the model)
            </label>
            <input
              id={reasonId}
              value={reason}
              maxLength={1000}
              onChange={(event) => {
                setReason(event.target.value);
              }}
              className="h-8 w-full rounded-lg border border-white/15 bg-night-raised px-2 text-sm text-slate-100"
            />
          </div>
          <Button
            size="sm"
            loading={decide.isPending && decide.variables.approved}
            disabled={decide.isPending}
            onClick={() => {
              send(true);
            }}
          >
            Approve
          </Button>
          <Button
            variant="danger"
            size="sm"
            loading={decide.isPending && !decide.variables.approved}
            disabled={decide.isPending}
            onClick={() => {
              send(false);
            }}
          >
            Reject
          </Button>
        </div>
      )}
      <FormAlert message={errors.message} requestId={errors.requestId} />
    </li>
  );
}
