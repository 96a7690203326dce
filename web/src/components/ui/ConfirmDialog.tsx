import type { ReactNode, SubmitEvent } from "react";

import { Button } from "./Button";
import { Dialog } from "./Dialog";
import { FormAlert } from "./FormAlert";

interface ConfirmDialogProps {
  title: string;
  description: ReactNode;
  /** The button that does the action: "Remove member". */
  confirmLabel: string;
  /** The button that leaves things as they are. */
  cancelLabel?: string;
  /** `danger` for an action that destroys or takes away something. */
  confirmVariant?: "primary" | "danger";
  /** The action is in flight: both buttons wait, and Escape or a click outside does nothing. */
  busy: boolean;
  /** Why the action failed, above the fields; nothing while it has not. */
  error: { message: string | null; requestId: string | null };
  onClose: () => void;
  /** Called with the form's fields (those given as children) when the user confirms. */
  onConfirm: (form: FormData) => void;
  /** Fields the action needs, such as the password, between the error and the buttons. */
  children?: ReactNode;
}

/**
 * An alert dialog that asks before an action: its error, any fields it needs, and a way
 * to go ahead or back. Mount it only while it is asked for, so that each asking starts afresh.
 */
export function ConfirmDialog({
  title,
  description,
  confirmLabel,
  cancelLabel = "Cancel",
  confirmVariant = "danger",
  busy,
  error,
  onClose,
  onConfirm,
  children,
}: ConfirmDialogProps) {
  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    onConfirm(new FormData(event.currentTarget));
  }

  return (
    <Dialog
      open
      role="alertdialog"
      onClose={onClose}
      dismissible={!busy}
      title={title}
      description={description}
    >
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={error.message} requestId={error.requestId} />
        {children}
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={busy}>
            {cancelLabel}
          </Button>
          <Button type="submit" variant={confirmVariant} loading={busy}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
