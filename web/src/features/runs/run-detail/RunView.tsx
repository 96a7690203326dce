import { useCallback, useMemo, type ReactNode } from "react";
import { useSearchParams } from "react-router";

import { Alert } from "../../../components/ui/Alert";
import { useMediaQuery } from "../../../lib/use-media-query";
import { SelectField } from "../../../components/ui/SelectField";
import { formatCount } from "../run-format";
import { detailViewFromParams, writeDetailView, type RunDetailView } from "./detail-view";
import type { LayoutDirection } from "./graph-layout";
import {
  isFinished,
  isLive,
  runTotals,
  settleApprovals,
  type Run,
  type RunFigures,
  type StepGraph,
} from "./graph-model";
import { pendingWork, type PendingWork } from "./pending-work";
import { ReplayControls } from "./ReplayControls";
import { offsetAt, replayFrames, sequenceAt } from "./replay-scheduler";
import type { StreamState } from "./run-events";
import { RunGraph } from "./RunGraph";
import { RunSummary, type SummaryRun } from "./RunSummary";
import { RunTimeline } from "./RunTimeline";
import { StepPanel } from "./StepPanel";
import { useReplay } from "./use-replay";

/** What the view needs of a run: a member's run and a shared run both have it. */
export type ViewedRun = SummaryRun & RunFigures & Pick<Run, "started_at">;

interface RunViewProps {
  run: ViewedRun;
  /** The run's steps: the snapshot, plus those streamed since for a run followed live. */
  graph: StepGraph;
  agentName: string | null;
  /** The live stream's state; `idle` for a run that is not followed. */
  stream: StreamState;
  /** Shown between the summary and the graph, such as the calls a paused run waits on. */
  children?: ReactNode;
  /** What the model has streamed so far of the request under way, for a run followed live. */
  streaming?: string | null;
}

/** The view in the address (`?step=`, `?at=`, `?speed=`, `?layout=`), and a way to change it. */
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

/**
 * A run's summary, graph, step panel, timeline and, once it has finished, replay controls,
 * with the view kept in the address. The members' run page and the public shared page
 * both show a run with it; what differs (following the run live, its actions) stays with
 * them.
 */
export function RunView({
  run,
  graph: recorded,
  agentName,
  stream,
  children,
  streaming = null,
}: RunViewProps) {
  const graph = useMemo(() => settleApprovals(recorded), [recorded]);
  const { view, change } = useDetailView();
  // A phone reads a graph top down; a wide screen left to right.
  const narrow = useMediaQuery("(max-width: 639px)");
  const layout = view.layout ?? (narrow ? "TB" : "LR");
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
  const pending = useMemo(() => pendingWork(run, graph.steps), [run, graph.steps]);
  const select = useCallback(
    (sequence: number) => {
      change({ step: sequence });
    },
    [change],
  );

  return (
    <>
      <RunSummary run={run} agentName={agentName} totals={totals} stream={stream} />
      {!isLive(run) && run.step_count > graph.steps.length && (
        <Alert tone="warning" className="mb-4">
          This view shows the first {formatCount(graph.steps.length)} of the run&apos;s{" "}
          {formatCount(run.step_count)} steps.
        </Alert>
      )}
      {children}
      <div className="mb-3 flex flex-col gap-3 lg:flex-row lg:items-end">
        {finished && frames.length > 0 && (
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
        <LayoutField
          value={layout}
          onChange={(layout) => {
            change({ layout });
          }}
        />
      </div>
      <GraphAndStep
        run={run}
        graph={graph}
        direction={layout}
        upToSequence={upToSequence}
        selectedSequence={view.step}
        onSelect={select}
        pending={pending}
        streaming={streaming}
        onClose={() => {
          change({ step: null });
        }}
      />
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

function LayoutField({
  value,
  onChange,
}: {
  value: LayoutDirection;
  onChange: (layout: LayoutDirection) => void;
}) {
  return (
    <SelectField
      label="Layout"
      className="lg:ml-auto lg:w-44"
      value={value}
      onChange={(event) => {
        onChange(event.target.value === "TB" ? "TB" : "LR");
      }}
    >
      <option value="LR">Left to right</option>
      <option value="TB">Top down</option>
    </SelectField>
  );
}

interface GraphAndStepProps {
  run: ViewedRun;
  graph: StepGraph;
  direction: LayoutDirection;
  upToSequence: number | null;
  selectedSequence: number | null;
  onSelect: (sequence: number) => void;
  onClose: () => void;
  pending: PendingWork | null;
  streaming: string | null;
}

/** The graph, and beside it the selected step's panel. */
function GraphAndStep({
  run,
  graph,
  direction,
  upToSequence,
  selectedSequence,
  onSelect,
  onClose,
  pending,
  streaming,
}: GraphAndStepProps) {
  const selected = graph.steps.find((step) => step.sequence === selectedSequence);
  return (
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
        {graph.steps.length === 0 && pending === null ? (
          <p className="grid h-full place-items-center px-6 text-center text-sm text-slate-400">
            {isLive(run)
              ? "The run's steps show here as they happen."
              : "This run recorded no steps."}
          </p>
        ) : (
          <RunGraph
            graph={graph}
            direction={direction}
            upToSequence={upToSequence}
            selectedSequence={selectedSequence}
            currentSequence={upToSequence}
            onSelect={onSelect}
            pending={pending}
            streaming={streaming}
          />
        )}
      </div>
      {selected && <StepPanel step={selected} onClose={onClose} />}
    </div>
  );
}
