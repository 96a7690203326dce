import { useState } from "react";

import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { TextField } from "../../components/ui/TextField";
import { formatDate } from "../../lib/dates";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useInviteMember, type Invitation, type RolesTable } from "./hooks";
import { ROLES, isInvitableRole, roleLabel, roleWithArticle } from "./permissions";
import { useExclusiveSubmit } from "../../lib/use-single-flight";

const DEFAULT_ROLE = "member";

interface InviteMemberFormProps {
  teamId: string;
  roles: RolesTable;
}

/** Invite someone by email with a role an invitation may grant. */
export function InviteMemberForm({ teamId, roles }: InviteMemberFormProps) {
  const invite = useInviteMember(teamId);
  const [sent, setSent] = useState<Invitation | null>(null);
  const errors = formErrors(invite.error, ["email", "role"]);
  const invitable = ROLES.filter((role) =>
    roles.roles.some((entry) => entry.role === role && entry.may_be_invited),
  );

  const submit = useExclusiveSubmit(async (formElement: HTMLFormElement) => {
    const form = new FormData(formElement);
    const role = textField(form, "role");
    if (!isInvitableRole(role)) {
      return;
    }
    setSent(null);
    try {
      const invitation = await invite.mutateAsync({
        email: textField(form, "email").trim(),
        role,
      });
      setSent(invitation);
      formElement.reset();
    } catch {
      return; // shown in the form
    }
  });

  return (
    <form onSubmit={submit} className="space-y-4">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <div className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-start">
        <TextField
          label="Email address"
          name="email"
          type="email"
          required
          maxLength={320}
          autoComplete="off"
          spellCheck={false}
          error={errors.fields.email}
        />
        <SelectField
          label="Role"
          name="role"
          defaultValue={invitable.includes(DEFAULT_ROLE) ? DEFAULT_ROLE : invitable[0]}
          error={errors.fields.role}
        >
          {invitable.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </SelectField>
        <Button type="submit" loading={invite.isPending} className="sm:mt-7">
          Send invitation
        </Button>
      </div>
      <p className="text-xs text-slate-400">
        Nobody is invited as an owner: once they have joined, an owner can make them one.
      </p>
      {sent && (
        <Alert tone="success">
          Invitation sent to {sent.email} as {roleWithArticle(sent.role)}. Its link works until{" "}
          {formatDate(sent.expires_at)}.
        </Alert>
      )}
    </form>
  );
}
