import { useParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { Logo } from "../../components/ui/Logo";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formatDateTime } from "../../lib/dates";
import { useSharedRunGraph } from "./hooks";
import { SharedRunView } from "./SharedRunView";

/**
 * `/share/:token`: a run someone shared publicly, read-only and redacted, for anyone with
 * the link; no session, no app navigation. A revoked, expired or unknown link shows a
 * not-found state.
 */
export function SharedRunPage() {
  const { token = "" } = useParams();
  const graph = useSharedRunGraph(token);
  const notFound = graph.error instanceof ApiProblem && graph.error.status === 404;

  return (
    <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6">
      <meta name="robots" content="noindex, nofollow" />
      <header className="mb-6 flex flex-wrap items-center gap-x-4 gap-y-2">
        <Logo />
        <p
          data-testid="shared-label"
          className="rounded-full border border-halo/35 bg-cyan-400/10 px-3 py-1 text-xs font-medium text-cyan-50"
        >
          Shared run — read-only
        </p>
      </header>
      <main>
        {graph.isPending ? (
          <SharedRunSkeleton />
        ) : notFound ? (
          <>
            <title>Link not found · Luna</title>
            <h1 className="sr-only">Link not found</h1>
            <EmptyState title="This link does not work">
              It may have been revoked, it may have expired, or it is mistyped. Ask whoever sent it
              for a new one.
            </EmptyState>
          </>
        ) : graph.isError ? (
          <ErrorState
            title="The shared run could not be loaded"
            message={graph.error.message}
            requestId={graph.error instanceof ApiProblem ? graph.error.requestId : null}
            onRetry={() => void graph.refetch()}
            retrying={graph.isFetching}
          />
        ) : (
          <>
            <title>{`${graph.data.run.agent_name}: shared run · Luna`}</title>
            <div className="mb-4">
              <h1 className="text-2xl font-semibold tracking-tight text-white">
                A run of {graph.data.run.agent_name}
              </h1>
              <p className="mt-1 text-sm text-slate-400">
                Secrets and email addresses in its steps are redacted.
                {graph.data.run.shared_until &&
                  ` The link works until ${formatDateTime(graph.data.run.shared_until)}.`}
              </p>
            </div>
            <SharedRunView response={graph.data} />
          </>
        )}
      </main>
    </div>
  );
}

function SharedRunSkeleton() {
  return (
    <LoadingRegion label="Loading the shared run">
      <div className="space-y-6">
        <Skeleton className="h-10 w-1/3" />
        <Skeleton className="h-[34rem]" />
      </div>
    </LoadingRegion>
  );
}
