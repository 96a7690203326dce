import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { SelectField } from "../../components/ui/SelectField";
import { formatCount } from "../runs/run-format";
import {
  detailViewFromParams,
  writeDetailView,
  type RunDetailView,
} from "../runs/run-detail/detail-view";
import { isFinished, runTotals, type StepGraph } from "../runs/run-detail/graph-model";
import { ReplayControls } from "../runs/run-detail/ReplayControls";
import { offsetAt, replayFrames, sequenceAt } from "../runs/run-detail/replay-scheduler";
import { RunGraph } from "../runs/run-detail/RunGraph";
import { RunSummary } from "../runs/run-detail/RunSummary";
import { RunTimeline } from "../runs/run-detail/RunTimeline";
import { StepPanel } from "../runs/run-detail/StepPanel";
import { useReplay } from "../runs/run-detail/use-replay";
import type { SharedRunGraphResponse } from "./hooks";

/** The view in the address (`?step=`, `?at=`, `?speed=`, `?layout=`), as on the run page. */
function useSharedView() {
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
 * A shared run, read-only: the run page's summary, graph, step panel, timeline and replay
 * controls, fed by the public graph. A shared run has finished, so there is nothing live
 * to follow and nothing to decide.
 */
export function SharedRunView({ response }: { response: SharedRunGraphResponse }) {
  const { run } = response;
  const { view, change } = useSharedView();
  const graph = useMemo<StepGraph>(
    () => ({ steps: response.nodes, edges: response.edges }),
    [response.nodes, response.edges],
  );
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
      <RunSummary run={run} agentName={run.agent_name} totals={totals} stream="idle" />
      {run.step_count > graph.steps.length && (
        <Alert tone="warning" className="mb-4">
          This view shows the first {formatCount(graph.steps.length)} of the run&apos;s{" "}
          {formatCount(run.step_count)} steps.
        </Alert>
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
              This run recorded no steps.
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
