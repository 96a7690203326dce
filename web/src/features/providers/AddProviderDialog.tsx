import { Dialog } from "../../components/ui/Dialog";
import type { Provider } from "./hooks";
import { ProviderForm } from "./ProviderForm";

interface AddProviderDialogProps {
  workspaceId: string;
  open: boolean;
  onClose: () => void;
  onCreated: (provider: Provider) => void;
}

/** The provider form in a dialog; every opening starts with an empty form. */
export function AddProviderDialog({
  workspaceId,
  open,
  onClose,
  onCreated,
}: AddProviderDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Add a model provider"
      description="Agents of this workspace run on the models of its providers."
      size="lg"
    >
      <ProviderForm workspaceId={workspaceId} onCreated={onCreated} onCancel={onClose} />
    </Dialog>
  );
}
