import type { ReactNode } from "react";

import { Alert } from "../../../components/ui/Alert";
import { Button } from "../../../components/ui/Button";

interface ConcurrentChangeAlertProps {
  /** What happened to the edits, and what reloading does to them. */
  children: ReactNode;
  reloading: boolean;
  onReload: () => void;
  /** Why the last reload failed, if it did. */
  reloadError?: string | null;
}

/** A save refused because someone saved a version meanwhile, with the way to their version. */
export function ConcurrentChangeAlert({
  children,
  reloading,
  onReload,
  reloadError = null,
}: ConcurrentChangeAlertProps) {
  return (
    <Alert tone="warning" title="This agent was changed by someone else">
      <p>{children}</p>
      <Button variant="secondary" size="sm" className="mt-2" loading={reloading} onClick={onReload}>
        Reload the agent
      </Button>
      {reloadError && <p className="mt-2">{reloadError}</p>}
    </Alert>
  );
}
