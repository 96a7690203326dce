import { useState } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { CurrentPasswordField } from "../auth/CurrentPasswordField";
import { useStepUpGate } from "../security/step-up";
import { StepUpFields } from "../security/StepUpFields";
import { leaveToSignIn } from "../session/sign-out";
import { useDeleteAccount } from "./hooks";

const FIELDS = ["email", "password"] as const;

interface Blocker {
  team_id: string;
  reason: string;
  message: string;
}

/** The teams that hold the deletion back, from the API's 409 (`blockers`). */
export function blockersOf(error: unknown): Blocker[] {
  if (!(error instanceof ApiProblem) || error.status !== 409) {
    return [];
  }
  const blockers = (error.problem as { blockers?: unknown }).blockers;
  return Array.isArray(blockers) ? (blockers as Blocker[]) : [];
}

interface DeleteAccountProps {
  email: string;
  hasPassword: boolean;
}

/** A button that opens the confirmation; the account goes only once it is confirmed. */
export function DeleteAccountSection(props: DeleteAccountProps) {
  const [open, setOpen] = useState(false);
  return (
    <div className="flex flex-wrap items-center justify-between gap-4">
      <p className="max-w-prose text-sm text-slate-300">
        Teams only you are in are deleted with everything in them. You leave the others.
      </p>
      <Button
        variant="danger"
        onClick={() => {
          setOpen(true);
        }}
      >
        Delete account…
      </Button>
      {open && (
        <ConfirmDeleting
          {...props}
          onClose={() => {
            setOpen(false);
          }}
        />
      )}
    </div>
  );
}

function ConfirmDeleting({
  email,
  hasPassword,
  onClose,
}: DeleteAccountProps & { onClose: () => void }) {
  const remove = useDeleteAccount();
  const gate = useStepUpGate(remove.error);
  const blockers = blockersOf(remove.error);
  const errors = formErrors(gate.demand || blockers.length ? null : remove.error, FIELDS);

  async function confirm(form: FormData) {
    if (await gate.proveIfAsked(form)) {
      const password = hasPassword ? textField(form, "password") : null;
      remove.mutate(
        { email: textField(form, "email").trim(), password },
        {
          onSuccess: () => {
            leaveToSignIn("account-deleted");
          },
        },
      );
    }
  }

  return (
    <ConfirmDialog
      title="Delete your account?"
      description="This cannot be undone. Audit entries about you stay in the logs of the teams you leave; invoices stay with the payment provider."
      confirmLabel="Delete account"
      busy={remove.isPending || gate.stepUp.isPending}
      error={errors}
      onClose={onClose}
      onConfirm={(form) => void confirm(form)}
    >
      {blockers.length > 0 && (
        <Alert tone="warning" title="First, settle these">
          <ul className="list-disc space-y-1 pl-5">
            {blockers.map((blocker) => (
              <li key={`${blocker.team_id}-${blocker.reason}`}>{blocker.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      <TextField
        label={`Type ${email} to confirm`}
        name="email"
        type="email"
        autoComplete="off"
        required
        maxLength={320}
        error={errors.fields.email}
      />
      {hasPassword && <CurrentPasswordField error={errors.fields.password} />}
      <StepUpFields gate={gate} />
    </ConfirmDialog>
  );
}
