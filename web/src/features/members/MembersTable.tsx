import {
  createColumnHelper,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type OnChangeFn,
  type Row,
  type SortingState,
} from "@tanstack/react-table";
import { useMemo } from "react";

import { Badge, type BadgeTone } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { DataTable } from "../../components/ui/DataTable";
import { formatDate, formatDateTime } from "../../lib/dates";
import type { Member } from "./hooks";
import { MemberRoleSelect } from "./MemberRoleSelect";
import { grantableRoles, mayManageMember, roleLabel, roleRank } from "./permissions";

const ROLE_TONES: Partial<Record<string, BadgeTone>> = {
  owner: "warning",
  admin: "brand",
};

/** How a member is named in the table and in messages. */
export function memberName(member: Member): string {
  return member.display_name || member.email;
}

function byRoleRank(left: Row<Member>, right: Row<Member>) {
  return roleRank(left.original.role) - roleRank(right.original.role);
}

const column = createColumnHelper<Member>();

interface MembersTableProps {
  teamId: string;
  teamName: string;
  members: Member[];
  /** The signed-in user, whose row is marked and offers leaving instead of removal. */
  userId: string;
  callerRole: string;
  sorting: SortingState;
  onSortingChange: OnChangeFn<SortingState>;
  onRemove: (member: Member) => void;
  onLeave: () => void;
}

/** The team's members; owners and admins change roles and remove people from here. */
export function MembersTable({
  teamId,
  teamName,
  members,
  userId,
  callerRole,
  sorting,
  onSortingChange,
  onRemove,
  onLeave,
}: MembersTableProps) {
  const columns = useMemo(
    () => [
      column.accessor(memberName, {
        id: "name",
        header: "Name",
        cell: (info) => (
          <span className="font-medium text-white">
            {info.getValue()}
            {info.row.original.user_id === userId && (
              <span className="font-normal text-slate-400"> (you)</span>
            )}
          </span>
        ),
      }),
      column.accessor("email", {
        header: "Email",
        cell: (info) => <span className="text-slate-300">{info.getValue()}</span>,
      }),
      column.accessor("role", {
        header: "Role",
        sortingFn: byRoleRank,
        cell: (info) => {
          const member = info.row.original;
          const manageable = member.user_id !== userId && mayManageMember(callerRole, member.role);
          return manageable ? (
            <MemberRoleSelect
              teamId={teamId}
              member={member}
              memberName={memberName(member)}
              choices={grantableRoles(callerRole)}
            />
          ) : (
            <Badge tone={ROLE_TONES[member.role] ?? "neutral"}>{roleLabel(member.role)}</Badge>
          );
        },
      }),
      column.accessor("joined_at", {
        header: "Joined",
        cell: (info) => (
          <time dateTime={info.getValue()} title={formatDateTime(info.getValue())}>
            {formatDate(info.getValue())}
          </time>
        ),
      }),
      column.display({
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        cell: (info) => {
          const member = info.row.original;
          if (member.user_id === userId) {
            return (
              <Button variant="ghost" size="sm" aria-label={`Leave ${teamName}`} onClick={onLeave}>
                Leave
              </Button>
            );
          }
          return mayManageMember(callerRole, member.role) ? (
            <Button
              variant="ghost"
              size="sm"
              className="text-rose-300 hover:text-rose-200"
              aria-label={`Remove ${memberName(member)}`}
              onClick={() => {
                onRemove(member);
              }}
            >
              Remove
            </Button>
          ) : null;
        },
      }),
    ],
    [teamId, teamName, userId, callerRole, onRemove, onLeave],
  );

  const table = useReactTable({
    data: members,
    columns,
    state: { sorting },
    onSortingChange,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: (member) => member.id,
  });

  return <DataTable table={table} caption={`Members of ${teamName}`} />;
}
