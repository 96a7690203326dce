import { useCallback, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { ApiProblem } from "../../../api/client";
import { Alert } from "../../../components/ui/Alert";
import { buttonClasses } from "../../../components/ui/Button";
import { ErrorState } from "../../../components/ui/ErrorState";
import { PageHeader } from "../../../components/ui/PageHeader";
import { SelectField } from "../../../components/ui/SelectField";
import { LoadingRegion, Skeleton } from "../../../components/ui/Skeleton";
import { useCurrentWorkspace } from "../../shell/use-current-workspace";
import { ShareRunControls } from "../../sharing/ShareRunControls";
import { formatCount, shortRunId } from "../run-format";
import { ApprovalsPanel } from "./ApprovalsPanel";
import { CancelRunButton } from "./CancelRunButton";
import { detailViewFromParams, writeDetailView, type RunDetailView } from "./detail-view";
import { extendGraph, isFinished, isLive, runTotals, type StepGraph } from "./graph-model";
import { useAgentName, useRunGraph, useRunUpdater, type RunGraphResponse } from "./hooks";
import { ReplayControls } from "./ReplayControls";
import { offsetAt, replayFrames, sequenceAt } from "./replay-scheduler";
import { useRunEvents } from "./run-events";
import { RunGraph } from "./RunGraph";
import { RunSummary } from "./RunSummary";
import { RunTimeline } from "./RunTimeline";
import { StepPanel } from "./StepPanel";
import { useReplay } from "./use-replay";

/** The page's view in the address, and a way to change it there. */
function useDetailView() {
  const [searchParams, setSearchParams] = useSearchParams();
  const view = detailViewFromParams(searchParams);
  const change = useCallback(
    (changes: Partial<RunDetailView>, options: { replace?: boolean } = {}) => {
      setSearchParams((params) => writeDetailView(params, changes), options);
    },
    [setSearchParams],
  );
  return { view, change };
}

/** `/w/:workspaceId/runs/:runId`: a run's steps as a graph and a timeline, live or replayed. */
export function RunDetailPage() {
  const { workspace, team } = useCurrentWorkspace();
  const { runId = "" } = useParams();
  const graph = useRunGraph(workspace.id, runId);
  const runsPath = `/w/${workspace.id}/runs`;

  return (
    <>
      <title>{`Run ${shortRunId(runId)} · Luna`}</title>
      <PageHeader
        title={`Run ${shortRunId(runId)}`}
        description={<code className="font-mono text-xs">{runId}</code>}
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

function RunDetail({ workspaceId, canWrite, response }: RunDetailProps) {
  const { run } = response;
  const { view, change } = useDetailView();
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
  const totals = useMemo(() => runTotals(run, graph.steps), [run, graph.steps]);
  const origin = run.started_at ?? graph.steps[0]?.started_at ?? run.created_at;
  const frames = useMemo(() => replayFrames(graph.steps, origin), [graph.steps, origin]);
  const finished = isFinished(run);
  const replay = useReplay({
    frames,
    at: finished ? view.at : null,
    speed: view.speed,
    onSeek: (at) => {
      change({ at }, { replace: true });
    },
  });
  const replaying = finished && view.at !== null;
  const upToSequence = replaying ? sequenceAt(frames, replay.position) : null;
  const selected = graph.steps.find((step) => step.sequence === view.step);
  const select = useCallback(
    (sequence: number) => {
      change({ step: sequence });
    },
    [change],
  );

  return (
    <>
      <RunSummary
        run={run}
        agentName={agentName.data ?? null}
        totals={totals}
        stream={events.state}
      />
      {!isLive(run) && run.step_count > graph.steps.length && (
        <Alert tone="warning" className="mb-4">
          This view shows the first {formatCount(graph.steps.length)} of the run&apos;s{" "}
          {formatCount(run.step_count)} steps.
        </Alert>
      )}
      {run.status === "waiting_approval" && (
        <ApprovalsPanel workspaceId={workspaceId} runId={run.id} canDecide={canWrite} />
      )}
      <div className="mb-3 flex flex-col gap-3 lg:flex-row lg:items-end">
        {finished && (
          <div className="flex-1">
            <ReplayControls
              position={replay.position}
              total={frames.length}
              playing={replay.playing}
              speed={view.speed}
              elapsedMs={offsetAt(frames, replay.position)}
              onAction={replay.dispatch}
              onSpeedChange={(speed) => {
                change({ speed });
              }}
            />
          </div>
        )}
        <SelectField
          label="Layout"
          className="lg:ml-auto lg:w-44"
          value={view.layout}
          onChange={(event) => {
            change({ layout: event.target.value === "TB" ? "TB" : "LR" });
          }}
        >
          <option value="LR">Left to right</option>
          <option value="TB">Top down</option>
        </SelectField>
      </div>
      <div
        className={
          selected ? "mb-4 grid gap-4 lg:grid-cols-[minmax(0,1fr)_24rem]" : "mb-4 grid gap-4"
        }
      >
        <div
          data-testid="run-graph"
          data-node-count={graph.steps.length}
          className="glass h-[34rem] min-w-0 overflow-hidden rounded-2xl"
        >
          {graph.steps.length === 0 ? (
            <p className="grid h-full place-items-center px-6 text-center text-sm text-slate-400">
              {isLive(run)
                ? "The run's steps show here as they happen."
                : "This run recorded no steps."}
            </p>
          ) : (
            <RunGraph
              graph={graph}
              direction={view.layout}
              upToSequence={upToSequence}
              selectedSequence={view.step}
              currentSequence={upToSequence}
              onSelect={select}
            />
          )}
        </div>
        {selected && (
          <StepPanel
            step={selected}
            onClose={() => {
              change({ step: null });
            }}
          />
        )}
      </div>
      {graph.steps.length > 0 && (
        <RunTimeline
          steps={graph.steps}
          origin={origin}
          selectedSequence={view.step}
          upToSequence={upToSequence}
          playheadMs={replaying ? offsetAt(frames, replay.position) : null}
          onSelect={select}
        />
      )}
    </>
  );
}
