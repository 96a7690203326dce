import { useMemo, useRef, type SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { CopyField } from "../../components/ui/CopyField";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useConfirmTotp, type TotpEnrolment } from "./hooks";
import { qrCodeDataUrl } from "./qr-code";
import { RecoveryCodesDialog } from "./RecoveryCodes";
import { useSingleFlight } from "../../lib/use-single-flight";

interface EnrolTotpDialogProps {
  enrolment: TotpEnrolment | null;
  onClose: () => void;
}

/** Adds the authenticator app (QR code or typed key), confirms a first code, and shows
 * the recovery codes. */
export function EnrolTotpDialog({ enrolment, onClose }: EnrolTotpDialogProps) {
  // Mounted only while open, so that each set-up starts afresh.
  return enrolment ? <EnrolTotpFlow enrolment={enrolment} onClose={onClose} /> : null;
}

function EnrolTotpFlow({ enrolment, onClose }: { enrolment: TotpEnrolment; onClose: () => void }) {
  const confirm = useConfirmTotp();
  const confirmOnce = useSingleFlight(confirm);
  const codeRef = useRef<HTMLInputElement>(null);
  const qrCode = useMemo(() => qrCodeDataUrl(enrolment.otpauth_uri), [enrolment.otpauth_uri]);
  const errors = formErrors(confirm.error, ["code"]);
  const codes = confirm.data?.codes;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    confirmOnce(textField(new FormData(event.currentTarget), "code").trim());
  }

  if (codes) {
    return (
      <RecoveryCodesDialog
        title="Save your recovery codes"
        description="Two-factor authentication is on. Signing in now asks for a code from your app."
        codes={codes}
        onClose={onClose}
      />
    );
  }

  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={!confirm.isPending}
      size="lg"
      initialFocus={codeRef}
      title="Set up an authenticator app"
      description="Use an app such as 1Password, Google Authenticator or Authy."
    >
      <form onSubmit={submit} className="space-y-5">
        <ol className="space-y-5 text-sm text-slate-300">
          <li className="space-y-3">
            <p>
              <span className="font-semibold text-white">1.</span> Scan this QR code with the app.
            </p>
            <img
              src={qrCode}
              alt="QR code to add Luna to your authenticator app"
              width={176}
              height={176}
              className="size-44 rounded-lg bg-white"
            />
          </li>
          <li className="space-y-2">
            <p>
              <span className="font-semibold text-white">2.</span> Or, if you cannot scan it, type
              this key into the app.
            </p>
            <CopyField label="Setup key" value={enrolment.secret} />
          </li>
          <li className="space-y-2">
            <p>
              <span className="font-semibold text-white">3.</span> Enter the code the app shows.
            </p>
            <FormAlert message={errors.message} requestId={errors.requestId} />
            <TextField
              ref={codeRef}
              label="Authentication code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              description="Six digits; a new one every 30 seconds."
              error={errors.fields.code}
            />
          </li>
        </ol>
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={confirm.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={confirm.isPending}>
            Turn on
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
