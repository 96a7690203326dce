import { useMemo } from "react";
import { Link, useParams } from "react-router";

import { ApiProblem } from "../../../api/client";
import { buttonClasses } from "../../../components/ui/Button";
import { EmptyState } from "../../../components/ui/EmptyState";
import { ErrorState } from "../../../components/ui/ErrorState";
import { PageHeader } from "../../../components/ui/PageHeader";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { useCurrentWorkspace } from "../../shell/use-current-workspace";
import { ShareRunControls } from "../../sharing/ShareRunControls";
import { shortRunId } from "../run-format";
import { ApprovalsPanel } from "./ApprovalsPanel";
import { CancelRunButton } from "./CancelRunButton";
import { extendGraph, isFinished, isLive, type StepGraph } from "./graph-model";
import { useAgentName, useRunGraph, useRunUpdater, type RunGraphResponse } from "./hooks";
import { useRunEvents } from "./run-events";
import { RunView } from "./RunView";

/** `/w/:workspaceId/runs/:runId`: a run's steps as a graph and a timeline, live or replayed. */
export function RunDetailPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { runId = "" } = useParams();
  const graph = useRunGraph(workspace.id, runId);
  const runsPath = `/w/${workspace.id}/runs`;
  const missing = graph.error instanceof ApiProblem && graph.error.status === 404;
  const title = missing ? "Run not found" : `Run ${shortRunId(runId)}`;

  return (
    <>
      <title>{`${title} · Luna`}</title>
      <PageHeader
        title={title}
        description={missing ? undefined : <code className="font-mono text-xs">{runId}</code>}
        actions={
          <>
            {graph.data && !isFinished(graph.data.run) && team.role !== "viewer" && (
              <CancelRunButton workspaceId={workspace.id} runId={runId} />
            )}
            {graph.data && (
              <ShareRunControls
                workspaceId={workspace.id}
                runId={runId}
                finished={isFinished(graph.data.run)}
                canWrite={team.role !== "viewer"}
              />
            )}
            <Link to={runsPath} className={buttonClasses("secondary")}>
              All runs
            </Link>
          </>
        }
      />
      {graph.isPending ? (
        <RunDetailSkeleton />
      ) : missing ? (
        <EmptyState
          title="There is no such run in this workspace"
          action={
            <Link to={runsPath} className={buttonClasses("primary")}>
              See the workspace's runs
            </Link>
          }
        >
          The address may be mistyped, or the run was deleted when its workspace's retention period
          ended.
        </EmptyState>
      ) : graph.isError ? (
        <ErrorState
          title="The run could not be loaded"
          message={graph.error.message}
          requestId={graph.error instanceof ApiProblem ? graph.error.requestId : null}
          onRetry={() => void graph.refetch()}
          retrying={graph.isFetching}
        />
      ) : (
        <RunDetail
          workspaceId={workspace.id}
          canWrite={team.role !== "viewer"}
          response={graph.data}
        />
      )}
    </>
  );
}

function RunDetailSkeleton() {
  return (
    <LoadingRegion label="Loading the run">
      <div className="space-y-6">
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
          {Array.from({ length: 6 }, (_, index) => (
            <Skeleton key={index} className="h-16" />
          ))}
        </div>
        <Skeleton className="h-[34rem]" />
        <Skeleton className="h-24" />
      </div>
    </LoadingRegion>
  );
}

interface RunDetailProps {
  workspaceId: string;
  canWrite: boolean;
  response: RunGraphResponse;
}

/** A member's run: followed live while it runs, with the calls it waits on to decide. */
function RunDetail({ workspaceId, canWrite, response }: RunDetailProps) {
  const { run } = response;
  const updateRun = useRunUpdater(workspaceId, run.id);
  const events = useRunEvents({
    workspaceId,
    runId: run.id,
    enabled: isLive(run),
    onEnd: (ended) => void updateRun(ended),
  });
  const agentName = useAgentName(workspaceId, run.agent_id);
  const snapshot = useMemo<StepGraph>(
    () => ({ steps: response.nodes, edges: response.edges }),
    [response.nodes, response.edges],
  );
  const graph = useMemo(() => extendGraph(snapshot, events.streamed), [snapshot, events.streamed]);

  return (
    <RunView run={run} graph={graph} agentName={agentName.data ?? null} stream={events.state}>
      {run.status === "waiting_approval" && (
        <ApprovalsPanel workspaceId={workspaceId} runId={run.id} canDecide={canWrite} />
      )}
    </RunView>
  );
}
