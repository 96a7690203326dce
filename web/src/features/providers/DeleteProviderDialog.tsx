import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { formErrors } from "../../lib/form-errors";
import { useDeleteProvider, type Provider } from "./hooks";

interface DeleteProviderDialogProps {
  workspaceId: string;
  provider: Provider | null;
  onClose: () => void;
  onDeleted: (provider: Provider) => void;
}

export function DeleteProviderDialog({ provider, ...props }: DeleteProviderDialogProps) {
  return provider ? <ConfirmDelete provider={provider} {...props} /> : null;
}

function ConfirmDelete({
  workspaceId,
  provider,
  onClose,
  onDeleted,
}: DeleteProviderDialogProps & { provider: Provider }) {
  const remove = useDeleteProvider(workspaceId);
  return (
    <ConfirmDialog
      title={`Delete “${provider.name}”?`}
      description={
        <>
          Luna forgets the provider and its key. Agents that use it must move to another provider
          first.
          {provider.is_default && " It is the default: the workspace is left without one."} This
          cannot be undone.
        </>
      }
      confirmLabel="Delete provider"
      cancelLabel="Keep it"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(provider, {
          onSuccess: () => {
            onDeleted(provider);
          },
        });
      }}
    />
  );
}
