import { Link } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { ErrorState } from "../../components/ui/ErrorState";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { Spinner } from "../../components/ui/Spinner";
import { RUN_STATUS_LABELS, RUN_STATUS_TONES, formatCount, runAnswer } from "../runs/run-format";
import { isFinished, useWatchedRun } from "./hooks";

/** The first run as it goes: its status until it ends, then its answer or its error. */
export function RunResult({ workspaceId, runId }: { workspaceId: string; runId: string }) {
  const run = useWatchedRun(workspaceId, runId);
  if (run.isPending) {
    return (
      <LoadingRegion label="Loading your first run">
        <Skeleton className="h-32" />
      </LoadingRegion>
    );
  }
  if (run.isError) {
    return (
      <ErrorState
        title="Your first run could not be loaded"
        message={run.error.message}
        requestId={run.error instanceof ApiProblem ? run.error.requestId : null}
        onRetry={() => void run.refetch()}
        retrying={run.isFetching}
      />
    );
  }
  const current = run.data;
  const finished = isFinished(current);
  const status = current.status;
  const answer = runAnswer(current);
  return (
    <section aria-labelledby="first-run-heading" className="glass space-y-4 rounded-2xl p-5">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="first-run-heading" className="text-lg font-semibold text-white">
          Your first run
        </h2>
        <span className="flex items-center gap-2" aria-live="polite">
          {!finished && <Spinner />}
          <Badge tone={RUN_STATUS_TONES[status]}>{RUN_STATUS_LABELS[status]}</Badge>
        </span>
      </div>
      {current.error && (
        <Alert tone="error" title="The run failed">
          {current.error.message}
        </Alert>
      )}
      {answer && (
        <pre
          data-testid="first-run-answer"
          className="max-h-96 overflow-auto rounded-lg bg-night/70 p-4 text-sm whitespace-pre-wrap text-slate-100"
        >
          {answer}
        </pre>
      )}
      {finished && (
        <p className="text-sm text-slate-400">
          {formatCount(current.step_count)} steps · {formatCount(current.tokens_in)} tokens in ·{" "}
          {formatCount(current.tokens_out)} tokens out
        </p>
      )}
      <Link
        to={`/w/${workspaceId}/runs/${runId}`}
        className="inline-block text-sm font-medium text-luna-300 hover:text-luna-200"
      >
        Watch its reasoning step by step <span aria-hidden="true">→</span>
      </Link>
    </section>
  );
}
