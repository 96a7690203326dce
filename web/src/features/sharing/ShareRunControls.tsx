import { useState } from "react";

import { Button } from "../../components/ui/Button";
import { CopyLinkButton } from "./CopyLinkButton";
import { ShareRunDialog } from "./ShareRunDialog";

interface ShareRunControlsProps {
  workspaceId: string;
  runId: string;
  /** Only a finished run can get a public link. */
  finished: boolean;
  /** Viewers see the links but create and revoke none. */
  canWrite: boolean;
}

/**
 * The run page's sharing: a link for members (the page's address, which holds the step
 * and replay moment shown) and public, read-only, redacted links for everyone else.
 */
export function ShareRunControls({
  workspaceId,
  runId,
  finished,
  canWrite,
}: ShareRunControlsProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <CopyLinkButton label="Copy link for members" link={() => globalThis.location.href} />
      <Button
        variant="secondary"
        aria-haspopup="dialog"
        onClick={() => {
          setOpen(true);
        }}
      >
        Share
      </Button>
      <ShareRunDialog
        workspaceId={workspaceId}
        runId={runId}
        finished={finished}
        canWrite={canWrite}
        open={open}
        onClose={() => {
          setOpen(false);
        }}
      />
    </>
  );
}
