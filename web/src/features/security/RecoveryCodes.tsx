import { useState } from "react";

import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";

type CopyStatus = "idle" | "copied" | "failed";

const STATUS_TEXT: Record<CopyStatus, string> = {
  idle: "",
  copied: "The recovery codes are copied to the clipboard.",
  failed: "Copying is blocked here: select the codes and copy them, or download them.",
};

function codesText(codes: readonly string[]): string {
  return `Luna recovery codes (each works once)\n\n${codes.join("\n")}\n`;
}

interface RecoveryCodesProps {
  codes: readonly string[];
  onDone: () => void;
}

/** The one and only sight of a set of recovery codes, with ways to keep them. */
export function RecoveryCodes({ codes, onDone }: RecoveryCodesProps) {
  const [status, setStatus] = useState<CopyStatus>("idle");
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(codesText(codes))}`;

  async function copy() {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      setStatus("copied");
    } catch {
      setStatus("failed");
    }
  }

  return (
    <div className="space-y-5">
      <Alert tone="warning" title="Save these codes now: you will not see them again">
        Each code signs you in once if you lose your authenticator app. Keep them somewhere safe,
        such as a password manager.
      </Alert>
      <ol
        aria-label="Recovery codes"
        className="grid grid-cols-2 gap-2 rounded-xl border border-white/10 bg-night/60 p-4 font-mono text-sm text-slate-100"
      >
        {codes.map((code) => (
          <li key={code} className="select-all">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-3">
        {/* The codes replace the form that was focused: focus moves here, inside the dialog. */}
        <Button variant="secondary" autoFocus onClick={() => void copy()}>
          {status === "copied" ? "Copied" : "Copy codes"}
        </Button>
        <a
          href={download}
          download="luna-recovery-codes.txt"
          className={buttonClasses("secondary")}
        >
          Download codes
        </a>
        <Button className="ml-auto" onClick={onDone}>
          I have saved them
        </Button>
      </div>
      <p role="status" className="min-h-4 text-xs text-slate-400">
        {STATUS_TEXT[status]}
      </p>
    </div>
  );
}

interface RecoveryCodesDialogProps {
  title: string;
  description: string;
  codes: readonly string[];
  onClose: () => void;
}

/** A new set of recovery codes, in a dialog that stays until the user has saved them. */
export function RecoveryCodesDialog({
  title,
  description,
  codes,
  onClose,
}: RecoveryCodesDialogProps) {
  return (
    <Dialog
      open
      onClose={onClose}
      dismissible={false}
      size="lg"
      title={title}
      description={description}
    >
      <RecoveryCodes codes={codes} onDone={onClose} />
    </Dialog>
  );
}
