import { useState, type SubmitEvent } from "react";

import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { CopyField } from "../../components/ui/CopyField";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { formatDateTime } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { SHARE_EXPIRY_CHOICES, useCreateRunShare, type CreatedRunShare } from "./hooks";
import { RunShareList } from "./RunShareList";
import { useSingleFlight } from "../../lib/use-single-flight";

interface ShareRunDialogProps {
  workspaceId: string;
  runId: string;
  finished: boolean;
  canWrite: boolean;
  open: boolean;
  onClose: () => void;
}

/** Create a public link to the run (shown once), and list or revoke its links. */
export function ShareRunDialog({ open, ...props }: ShareRunDialogProps) {
  // Mounted only while open: every opening starts afresh, and the link shown once is gone.
  return open ? <ShareRunFlow {...props} /> : null;
}

function ShareRunFlow({
  workspaceId,
  runId,
  finished,
  canWrite,
  onClose,
}: Omit<ShareRunDialogProps, "open">) {
  return (
    <Dialog
      open
      onClose={onClose}
      title="Share this run"
      description="A public link shows the run's graph, steps and replay to anyone who has it, read-only, without signing in. Secrets and email addresses in the steps are redacted."
      size="lg"
    >
      <div className="space-y-6">
        {!finished ? (
          <Alert tone="info">A run can be shared publicly once it has finished.</Alert>
        ) : canWrite ? (
          <CreateShareForm workspaceId={workspaceId} runId={runId} />
        ) : (
          <Alert tone="info">
            Viewers can see this run&apos;s public links but not create them.
          </Alert>
        )}
        <RunShareList workspaceId={workspaceId} runId={runId} canRevoke={canWrite} />
        <div className="flex justify-end">
          <Button variant="ghost" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function CreateShareForm({ workspaceId, runId }: { workspaceId: string; runId: string }) {
  const create = useCreateRunShare(workspaceId, runId);
  const createOnce = useSingleFlight(create);
  const [days, setDays] = useState("30");
  const errors = formErrors(create.error, ["expires_in_days"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    createOnce({ expires_in_days: days === "" ? null : Number(days) });
  }

  if (create.data) {
    return <CreatedShare share={create.data} />;
  }
  return (
    <form onSubmit={submit} className="space-y-4">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <SelectField
        label="The link works for"
        value={days}
        onChange={(event) => {
          setDays(event.target.value);
        }}
        error={errors.fields.expires_in_days}
      >
        {SHARE_EXPIRY_CHOICES.map((choice) => (
          <option key={choice.label} value={choice.days === null ? "" : String(choice.days)}>
            {choice.label}
          </option>
        ))}
      </SelectField>
      <div className="flex justify-end">
        <Button type="submit" loading={create.isPending}>
          Create public link
        </Button>
      </div>
    </form>
  );
}

function CreatedShare({ share }: { share: CreatedRunShare }) {
  return (
    <div className="space-y-4" data-testid="created-share">
      <Alert tone="warning" title="Copy this link now: you will not see it again">
        Luna keeps only a hash of it. Anyone who has it can watch the run until you revoke it
        {share.expires_at ? ` or it expires (${formatDateTime(share.expires_at)})` : ""}.
      </Alert>
      <CopyField label="Public link" value={share.url} autoFocus />
    </div>
  );
}
