import { useEffect, useMemo, useRef, useState } from "react";
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
import { AddedToSuiteNotice, AddToSuiteButton, type AddedCase } from "./AddToSuite";
import { ApprovalsPanel } from "./ApprovalsPanel";
import { CancelRunButton } from "./CancelRunButton";
import { extendGraph, isFinished, isLive, type StepGraph } from "./graph-model";
import { useAgentName, useRunGraph, useRunUpdater, type RunGraphResponse } from "./hooks";
import { useRunEvents, type RunDelta } from "./run-events";
import { RunView } from "./RunView";

/** `/w/:workspaceId/runs/:runId`: a run's steps as a graph and a timeline, live or replayed. */
export function RunDetailPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { runId = "" } = useParams();
  const graph = useRunGraph(workspace.id, runId);
  const runsPath = `/w/${workspace.id}/runs`;
  const agentName = useAgentName(workspace.id, graph.data?.run.agent_id);
  const missing = graph.error instanceof ApiProblem && graph.error.status === 404;
  // The agent names the run; the id's end tells runs of one agent apart.
  const title = missing ? "Run not found" : (agentName.data ?? "Run");
  const canWrite = team.role !== "viewer";
  const [added, setAdded] = useState<AddedCase | null>(null);

  return (
    <>
      <title>
        {missing ? "Run not found · Luna" : `${title} · Run ${shortRunId(runId)} · Luna`}
      </title>
      <PageHeader
        title={title}
        description={
          missing ? undefined : (
            <span title={runId}>
              Run <code className="font-mono text-xs">{shortRunId(runId)}</code>
            </span>
          )
        }
        actions={
          <>
            {graph.data && !isFinished(graph.data.run) && canWrite && (
              <CancelRunButton workspaceId={workspace.id} runId={runId} />
            )}
            {graph.data?.run.status === "succeeded" && canWrite && (
              <AddToSuiteButton
                workspaceId={workspace.id}
                run={graph.data.run}
                steps={graph.data.nodes}
                onOpen={() => {
                  setAdded(null);
                }}
                onAdded={setAdded}
              />
            )}
            {graph.data && (
              <ShareRunControls
                workspaceId={workspace.id}
                runId={runId}
                finished={isFinished(graph.data.run)}
                canWrite={canWrite}
              />
            )}
            <Link to={runsPath} className={buttonClasses("secondary")}>
              All runs
            </Link>
          </>
        }
      />
      {added?.runId === runId && <AddedToSuiteNotice workspaceId={workspace.id} added={added} />}
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
        <RunDetail workspaceId={workspace.id} canWrite={canWrite} response={graph.data} />
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
  const [streaming, setStreaming] = useState<StreamedText | null>(null);
  const stepCount = useRef(0);
  const events = useRunEvents({
    workspaceId,
    runId: run.id,
    enabled: isLive(run),
    onEnd: (ended) => void updateRun(ended),
    onDelta: (delta) => {
      setStreaming((earlier) => streamedText(earlier, delta, stepCount.current));
    },
  });
  const agentName = useAgentName(workspaceId, run.agent_id);
  const snapshot = useMemo<StepGraph>(
    () => ({ steps: response.nodes, edges: response.edges }),
    [response.nodes, response.edges],
  );
  const graph = useMemo(() => extendGraph(snapshot, events.streamed), [snapshot, events.streamed]);
  useEffect(() => {
    stepCount.current = graph.steps.length;
  }, [graph.steps.length]);

  return (
    <RunView
      run={run}
      graph={graph}
      agentName={agentName.data ?? null}
      stream={events.state}
      streaming={
        streaming !== null && streaming.after === graph.steps.length ? streaming.text : null
      }
    >
      {run.status === "waiting_approval" && (
        <ApprovalsPanel workspaceId={workspaceId} runId={run.id} canDecide={canWrite} />
      )}
    </RunView>
  );
}

/** The text a model request has streamed so far, and how many steps were stored before it. */
interface StreamedText {
  request: number;
  after: number;
  text: string;
}

/**
 * The streamed text with a delta added; a delta of another request starts it again. It
 * stands for the request until a step is stored after it (the request's own steps).
 */
function streamedText(earlier: StreamedText | null, delta: RunDelta, steps: number): StreamedText {
  if (earlier?.request !== delta.request) {
    return { request: delta.request, after: steps, text: delta.text };
  }
  return { ...earlier, text: (earlier.text + delta.text).slice(-400) };
}
