import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { formErrors } from "../../lib/form-errors";
import { useRemoveMember, type Member } from "./hooks";
import { memberName } from "./MembersTable";

interface RemoveMemberDialogProps {
  teamId: string;
  teamName: string;
  member: Member | null;
  onClose: () => void;
  onRemoved: (member: Member) => void;
}

export function RemoveMemberDialog({ member, ...props }: RemoveMemberDialogProps) {
  return member ? <ConfirmRemoval member={member} {...props} /> : null;
}

function ConfirmRemoval({
  teamId,
  teamName,
  member,
  onClose,
  onRemoved,
}: RemoveMemberDialogProps & { member: Member }) {
  const remove = useRemoveMember(teamId);
  const name = memberName(member);
  return (
    <ConfirmDialog
      title={`Remove ${name} from ${teamName}?`}
      description={
        <>
          {name} ({member.email}) loses access to the team&apos;s workspaces at once. API keys they
          created stay with their workspaces: revoke them on the API keys page if they should stop
          working too.
        </>
      }
      confirmLabel="Remove member"
      cancelLabel={`Keep ${name}`}
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(member.id, {
          onSuccess: () => {
            onRemoved(member);
          },
        });
      }}
    />
  );
}
