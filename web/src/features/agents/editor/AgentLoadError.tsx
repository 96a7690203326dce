import type { ReactNode } from "react";

import { ApiProblem } from "../../../api/client";
import { ErrorState } from "../../../components/ui/ErrorState";

interface AgentLoadErrorProps {
  error: Error;
  onRetry: () => void;
  retrying: boolean;
  action?: ReactNode;
}

/** Why an agent could not be shown: it does not exist (or is not this workspace's), or loading failed. */
export function AgentLoadError({ error, onRetry, retrying, action }: AgentLoadErrorProps) {
  const problem = error instanceof ApiProblem ? error : null;
  return (
    <ErrorState
      title={
        problem?.status === 404 ? "This agent does not exist" : "The agent could not be loaded"
      }
      message={error.message}
      requestId={problem ? problem.requestId : null}
      onRetry={onRetry}
      retrying={retrying}
      action={action}
    />
  );
}
