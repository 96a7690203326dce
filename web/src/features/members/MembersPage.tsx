import { useCallback, useRef, useState } from "react";
import { flushSync } from "react-dom";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Card } from "../../components/ui/Card";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { Section } from "../../components/ui/Section";
import { LoadingRegion, Skeleton, TableSkeleton } from "../../components/ui/Skeleton";
import { useSortingParam } from "../../lib/sort-param";
import { useSignedInMe } from "../session/use-me";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { useMembers, useRoles, type Member } from "./hooks";
import { InviteMemberForm } from "./InviteMemberForm";
import { LeaveTeamDialog } from "./LeaveTeamDialog";
import { memberName, MembersTable } from "./MembersTable";
import { PendingInvitations } from "./PendingInvitations";
import { mayManageTeam, roleWithArticle } from "./permissions";
import { RemoveMemberDialog } from "./RemoveMemberDialog";
import { RoleMatrix } from "./RoleMatrix";
import { MEMBER_SORTING } from "./sorting";

export function MembersPage() {
  const { team } = useCurrentWorkspace();
  const me = useSignedInMe();
  const members = useMembers(team.id);
  const roles = useRoles();
  const [sorting, changeSorting] = useSortingParam(MEMBER_SORTING);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const membersHeadingRef = useRef<HTMLHeadingElement>(null);
  const openLeaveDialog = useCallback(() => {
    setLeaving(true);
  }, []);

  // The members list is fresher than the session's copy of the caller's role.
  const callerRole =
    members.data?.find((member) => member.user_id === me.user.id)?.role ?? team.role;
  const canManage = mayManageTeam(callerRole);
  const owners = members.data?.filter((member) => member.role === "owner").length ?? 0;

  function removed(member: Member) {
    // Close the dialog now, so that focus can go to the table's heading: the row whose
    // button opened the dialog is gone.
    flushSync(() => {
      setRemoving(null);
      setNotice(`${memberName(member)} is no longer a member of ${team.name}.`);
    });
    membersHeadingRef.current?.focus();
  }

  return (
    <>
      <title>{`Members · ${team.name} · Luna`}</title>
      <PageHeader
        title="Members"
        description={`${team.name} · a role applies to every workspace`}
      />
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      <div className="space-y-12">
        <Section
          title="Team members"
          headingRef={membersHeadingRef}
          description={
            canManage
              ? undefined
              : `Only owners and admins can invite people, change roles or remove members; you are ${roleWithArticle(callerRole)}.`
          }
        >
          {members.isPending ? (
            <TableSkeleton label="Loading members" />
          ) : members.isError ? (
            <ErrorState
              title="The members could not be loaded"
              message={members.error.message}
              requestId={members.error instanceof ApiProblem ? members.error.requestId : null}
              onRetry={() => void members.refetch()}
              retrying={members.isFetching}
            />
          ) : members.data.length === 0 ? (
            <EmptyState title="No members yet">
              Invite people to work with you in this team&apos;s workspaces.
            </EmptyState>
          ) : (
            <MembersTable
              teamId={team.id}
              teamName={team.name}
              members={members.data}
              userId={me.user.id}
              callerRole={callerRole}
              sorting={sorting}
              onSortingChange={changeSorting}
              onRemove={setRemoving}
              onLeave={openLeaveDialog}
            />
          )}
        </Section>
        {canManage && (
          <Section
            title="Invite someone"
            description="The emailed link works once, for that address, for seven days."
          >
            {roles.isPending ? (
              <LoadingRegion label="Loading the invitation form">
                <Skeleton className="h-32 rounded-2xl" />
              </LoadingRegion>
            ) : roles.isError ? (
              <ErrorState
                title="The invitation form could not be loaded"
                message={roles.error.message}
                requestId={roles.error instanceof ApiProblem ? roles.error.requestId : null}
                onRetry={() => void roles.refetch()}
                retrying={roles.isFetching}
              />
            ) : (
              <Card className="p-5">
                <InviteMemberForm teamId={team.id} roles={roles.data} />
              </Card>
            )}
          </Section>
        )}
        {canManage && <PendingInvitations teamId={team.id} />}
        <Section title="What each role may do" description="Yours is highlighted.">
          {roles.isPending ? (
            <TableSkeleton rows={4} label="Loading the roles" />
          ) : roles.isError ? (
            <ErrorState
              title="The roles could not be loaded"
              message={roles.error.message}
              requestId={roles.error instanceof ApiProblem ? roles.error.requestId : null}
              onRetry={() => void roles.refetch()}
              retrying={roles.isFetching}
            />
          ) : (
            <RoleMatrix
              roles={roles.data}
              callerRole={callerRole}
              caption="What each role may do, by action"
            />
          )}
        </Section>
      </div>
      <RemoveMemberDialog
        teamId={team.id}
        teamName={team.name}
        member={removing}
        onClose={() => {
          setRemoving(null);
        }}
        onRemoved={removed}
      />
      <LeaveTeamDialog
        open={leaving}
        teamId={team.id}
        teamName={team.name}
        lastOwner={callerRole === "owner" && owners <= 1}
        onClose={() => {
          setLeaving(false);
        }}
      />
    </>
  );
}
