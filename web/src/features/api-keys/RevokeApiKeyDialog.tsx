import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
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
  return (
    <ConfirmDialog
      title={`Revoke “${apiKey.name}”?`}
      description={
        <>
          Programs using the key <code className="font-mono">{apiKey.prefix}…</code> are refused
          from the moment you revoke it. This cannot be undone.
        </>
      }
      confirmLabel="Revoke key"
      cancelLabel="Keep the key"
      busy={revoke.isPending}
      error={formErrors(revoke.error, [])}
      onClose={onClose}
      onConfirm={() => {
        revoke.mutate(apiKey.id, {
          onSuccess: () => {
            onRevoked(apiKey);
          },
        });
      }}
    />
  );
}
