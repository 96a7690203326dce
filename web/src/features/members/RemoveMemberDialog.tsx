import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
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
  const errors = formErrors(remove.error, []);
  const name = memberName(member);
  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!remove.isPending}
      title={`Remove ${name} from ${teamName}?`}
      description={
        <>
          {name} ({member.email}) loses access to the team&apos;s workspaces at once. API keys they
          created stay with their workspaces: revoke them on the API keys page if they should stop
          working too.
        </>
      }
    >
      <div className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={remove.isPending}>
            Keep {name}
          </Button>
          <Button
            variant="danger"
            loading={remove.isPending}
            onClick={() => {
              remove.mutate(member.id, {
                onSuccess: () => {
                  onRemoved(member);
                },
              });
            }}
          >
            Remove member
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
