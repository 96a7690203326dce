import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
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
  const errors = formErrors(remove.error, []);
  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!remove.isPending}
      title={`Delete “${provider.name}”?`}
      description={
        <>
          Luna forgets the provider and its key. Agents that use it must move to another provider
          first.
          {provider.is_default && " It is the default: the workspace is left without one."} This
          cannot be undone.
        </>
      }
    >
      <div className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={remove.isPending}>
            Keep it
          </Button>
          <Button
            variant="danger"
            loading={remove.isPending}
            onClick={() => {
              remove.mutate(provider, {
                onSuccess: () => {
                  onDeleted(provider);
                },
              });
            }}
          >
            Delete provider
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
