import { useState } from "react";

import { ApiProblem } from "../../api/client";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Dialog } from "../../components/ui/Dialog";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { PageHeader } from "../../components/ui/PageHeader";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { formatDateTime, formatRelative } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { leaveToSignIn } from "../session/sign-out";
import { SignOutButton } from "../shell/SignOutButton";
import { describeUserAgent } from "./describe-user-agent";
import { useRevokeSession, useSessions, useSignOutEverywhere, type BrowserSession } from "./hooks";

function SessionItem({ session }: { session: BrowserSession }) {
  const revoke = useRevokeSession();
  const device = describeUserAgent(session.user_agent);
  return (
    <li>
      <Card className="flex flex-col gap-4 p-5 sm:flex-row sm:items-center sm:justify-between">
        <div className="min-w-0 space-y-1">
          <p className="flex flex-wrap items-center gap-2 font-medium text-white">
            {device}
            {session.current && <Badge tone="brand">This browser</Badge>}
          </p>
          <p className="text-sm text-slate-400">
            {session.ip_address} · signed in{" "}
            <time dateTime={session.created_at}>{formatDateTime(session.created_at)}</time> · active{" "}
            <time dateTime={session.last_seen_at} title={formatDateTime(session.last_seen_at)}>
              {formatRelative(session.last_seen_at)}
            </time>
          </p>
          <p className="truncate text-xs text-slate-400" title={session.user_agent}>
            {session.user_agent}
          </p>
          {revoke.isError && (
            <p role="alert" className="text-sm text-rose-300">
              {revoke.error.message}
            </p>
          )}
        </div>
        {session.current ? (
          <SignOutButton />
        ) : (
          <Button
            variant="secondary"
            size="sm"
            loading={revoke.isPending}
            aria-label={`Sign out ${device}, last active ${formatRelative(session.last_seen_at)}`}
            onClick={() => {
              revoke.mutate(session.id);
            }}
          >
            Sign out
          </Button>
        )}
      </Card>
    </li>
  );
}

function SignOutEverywhereDialog({ onClose }: { onClose: () => void }) {
  const signOutEverywhere = useSignOutEverywhere();
  const errors = formErrors(signOutEverywhere.error, []);
  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!signOutEverywhere.isPending}
      title="Sign out everywhere?"
      description="Every browser signed in to your account, this one included, is signed out at once. API keys keep working."
    >
      <div className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={signOutEverywhere.isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            loading={signOutEverywhere.isPending}
            onClick={() => {
              signOutEverywhere.mutate(undefined, {
                onSuccess: () => {
                  leaveToSignIn("signed-out-everywhere");
                },
              });
            }}
          >
            Sign out everywhere
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

export function SessionsPage() {
  const sessions = useSessions();
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <title>Sessions · Luna</title>
      <PageHeader
        title="Sessions"
        description="Browsers signed in to your account."
        actions={
          <Button
            variant="danger"
            onClick={() => {
              setConfirming(true);
            }}
          >
            Sign out everywhere
          </Button>
        }
      />
      {sessions.isPending ? (
        <TableSkeleton label="Loading sessions" rows={2} />
      ) : sessions.isError ? (
        <ErrorState
          title="Your sessions could not be loaded"
          message={sessions.error.message}
          requestId={sessions.error instanceof ApiProblem ? sessions.error.requestId : null}
          onRetry={() => void sessions.refetch()}
          retrying={sessions.isFetching}
        />
      ) : sessions.data.length === 0 ? (
        <EmptyState title="No sessions">No browser is signed in to your account.</EmptyState>
      ) : (
        <ul className="space-y-3" aria-label="Signed-in browsers">
          {sessions.data.map((session) => (
            <SessionItem key={session.id} session={session} />
          ))}
        </ul>
      )}
      {confirming && (
        <SignOutEverywhereDialog
          onClose={() => {
            setConfirming(false);
          }}
        />
      )}
    </>
  );
}
