import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";

import { ApiProblem, isSessionEnded } from "../../api/client";
import { ErrorState } from "../../components/ui/ErrorState";
import { ShellSkeleton } from "../shell/ShellSkeleton";
import { signInPath } from "./next-path";
import { useMe } from "./use-me";

/** Renders its children for a signed-in user; sends anyone else to sign in and back. */
export function RequireSession({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return <ShellSkeleton />;
  }
  if (me.isError) {
    if (isSessionEnded(me.error)) {
      return <Navigate to={signInPath(location.pathname + location.search)} replace />;
    }
    return (
      <div className="mx-auto max-w-lg px-6 py-24">
        <ErrorState
          title="Luna could not load your account"
          message={me.error.message}
          requestId={me.error instanceof ApiProblem ? me.error.requestId : null}
          onRetry={() => void me.refetch()}
          retrying={me.isFetching}
        />
      </div>
    );
  }
  return children;
}
