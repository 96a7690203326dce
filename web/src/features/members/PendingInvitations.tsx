import { useId, useRef, useState } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FieldErrorMessage } from "../../components/ui/TextField";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { formatDate } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { useInvitations, useRevokeInvitation, type Invitation } from "./hooks";
import { roleLabel } from "./permissions";

interface InvitationItemProps {
  teamId: string;
  invitation: Invitation;
  onRevoked: (invitation: Invitation) => void;
}

function InvitationItem({ teamId, invitation, onRevoked }: InvitationItemProps) {
  const revoke = useRevokeInvitation(teamId);
  const error = formErrors(revoke.error, []).message;
  const errorId = useId();
  return (
    <li className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-5 py-3.5">
      <div className="min-w-0 space-y-1">
        <p className="flex flex-wrap items-center gap-2">
          <span className="truncate font-medium text-white">{invitation.email}</span>
          <Badge tone="brand">{roleLabel(invitation.role)}</Badge>
        </p>
        <p className="text-xs text-slate-400">
          Invited on{" "}
          <time dateTime={invitation.created_at}>{formatDate(invitation.created_at)}</time>; the
          link works until{" "}
          <time dateTime={invitation.expires_at}>{formatDate(invitation.expires_at)}</time>.
        </p>
        {error && (
          <div role="alert">
            <FieldErrorMessage id={errorId}>{error}</FieldErrorMessage>
          </div>
        )}
      </div>
      <Button
        variant="ghost"
        size="sm"
        className="text-rose-300 hover:text-rose-200"
        aria-label={`Revoke the invitation of ${invitation.email}`}
        aria-describedby={error ? errorId : undefined}
        loading={revoke.isPending}
        onClick={() => {
          revoke.mutate(invitation.id, {
            onSuccess: () => {
              onRevoked(invitation);
            },
          });
        }}
      >
        Revoke
      </Button>
    </li>
  );
}

/** Invitations not yet accepted, newest first, each of which can be withdrawn. */
export function PendingInvitations({ teamId }: { teamId: string }) {
  const invitations = useInvitations(teamId);
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [notice, setNotice] = useState<string | null>(null);

  function revoked(invitation: Invitation) {
    // The pressed button has gone with its invitation: focus the list's heading instead.
    setNotice(`The invitation of ${invitation.email} is revoked: its link no longer works.`);
    headingRef.current?.focus();
  }

  return (
    <section aria-labelledby={headingId} className="space-y-4">
      <h2
        id={headingId}
        ref={headingRef}
        tabIndex={-1}
        className="text-lg font-semibold text-white focus:outline-none"
      >
        Pending invitations
      </h2>
      {notice && <Alert tone="success">{notice}</Alert>}
      {invitations.isPending ? (
        <TableSkeleton rows={2} label="Loading pending invitations" />
      ) : invitations.isError ? (
        <ErrorState
          title="The pending invitations could not be loaded"
          message={invitations.error.message}
          requestId={invitations.error instanceof ApiProblem ? invitations.error.requestId : null}
          onRetry={() => void invitations.refetch()}
          retrying={invitations.isFetching}
        />
      ) : invitations.data.length === 0 ? (
        <EmptyState title="No pending invitations">
          People you invite appear here until they accept, and you can withdraw an invitation before
          then.
        </EmptyState>
      ) : (
        <ul
          aria-labelledby={headingId}
          className="glass divide-y divide-white/6 rounded-2xl text-sm"
        >
          {invitations.data.map((invitation) => (
            <InvitationItem
              key={invitation.id}
              teamId={teamId}
              invitation={invitation}
              onRevoked={revoked}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
