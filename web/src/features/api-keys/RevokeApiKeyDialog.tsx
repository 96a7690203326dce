import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { formErrors } from "../../lib/form-errors";
import { useRevokeApiKey, type ApiKey } from "./hooks";

interface RevokeApiKeyDialogProps {
  workspaceId: string;
  apiKey: ApiKey | null;
  onClose: () => void;
  onRevoked: (key: ApiKey) => void;
}

export function RevokeApiKeyDialog({ apiKey, ...props }: RevokeApiKeyDialogProps) {
  return apiKey ? <ConfirmRevoke apiKey={apiKey} {...props} /> : null;
}

function ConfirmRevoke({
  workspaceId,
  apiKey,
  onClose,
  onRevoked,
}: RevokeApiKeyDialogProps & { apiKey: ApiKey }) {
  const revoke = useRevokeApiKey(workspaceId);
  const errors = formErrors(revoke.error, []);
  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!revoke.isPending}
      title={`Revoke “${apiKey.name}”?`}
      description={
        <>
          Programs using the key <code className="font-mono">{apiKey.prefix}…</code> are refused
          from the moment you revoke it. This cannot be undone.
        </>
      }
    >
      <div className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={revoke.isPending}>
            Keep the key
          </Button>
          <Button
            variant="danger"
            loading={revoke.isPending}
            onClick={() => {
              revoke.mutate(apiKey.id, {
                onSuccess: () => {
                  onRevoked(apiKey);
                },
              });
            }}
          >
            Revoke key
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
