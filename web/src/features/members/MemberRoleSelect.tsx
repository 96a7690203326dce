import { useId } from "react";

import { fieldControlClasses, FieldErrorMessage } from "../../components/ui/TextField";
import { classNames } from "../../lib/class-names";
import { formErrors } from "../../lib/form-errors";
import { useChangeMemberRole, type Member } from "./hooks";
import { isRole, roleLabel, type Role } from "./permissions";

interface MemberRoleSelectProps {
  teamId: string;
  member: Member;
  memberName: string;
  /** The roles the caller may give this member; the member's own is among them. */
  choices: readonly Role[];
}

/** A member's role, saved as soon as another is chosen. */
export function MemberRoleSelect({ teamId, member, memberName, choices }: MemberRoleSelectProps) {
  const change = useChangeMemberRole(teamId);
  const id = useId();
  const errorId = `${id}-error`;
  const error = formErrors(change.error, []).message;
  const shown = change.isPending ? change.variables.role : member.role;

  return (
    <div className="space-y-1">
      <div className="flex items-center gap-2">
        <label htmlFor={id} className="sr-only">
          Role of {memberName}
        </label>
        <select
          id={id}
          value={shown}
          disabled={change.isPending}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className={classNames(fieldControlClasses, "w-32 py-1.5")}
          onChange={(event) => {
            const role = event.target.value;
            if (isRole(role) && role !== member.role) {
              change.mutate({ membershipId: member.id, role });
            }
          }}
        >
          {choices.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </select>
        <span role="status" className="text-xs whitespace-nowrap text-slate-400">
          {change.isPending ? "Saving…" : change.isSuccess ? "Saved" : ""}
        </span>
      </div>
      {error && (
        <div role="alert" className="max-w-64">
          <FieldErrorMessage id={errorId}>{error}</FieldErrorMessage>
        </div>
      )}
    </div>
  );
}
