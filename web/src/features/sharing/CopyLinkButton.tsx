import { useState } from "react";

import { Button } from "../../components/ui/Button";

type CopyStatus = "idle" | "copied" | "failed";

const STATUS_TEXT: Record<CopyStatus, string> = {
  idle: "",
  copied: "Link copied to the clipboard.",
  failed: "Copying is blocked here: copy the address from the address bar.",
};

interface CopyLinkButtonProps {
  label: string;
  /** Read when the button is pressed: the address as it is then. */
  link: () => string;
}

/** A button that copies a link, and says (to screen readers too) whether it worked. */
export function CopyLinkButton({ label, link }: CopyLinkButtonProps) {
  const [status, setStatus] = useState<CopyStatus>("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(link());
      setStatus("copied");
    } catch {
      setStatus("failed");
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      <Button variant="secondary" onClick={() => void copy()}>
        {status === "copied" ? "Copied" : label}
      </Button>
      <span role="status" className="sr-only">
        {STATUS_TEXT[status]}
      </span>
    </span>
  );
}
