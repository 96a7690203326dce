import { useId, useState } from "react";
import { Link } from "react-router";

import { RunGraph } from "../runs/run-detail/RunGraph";
import { StepPanel } from "../runs/run-detail/StepPanel";
import { isLive } from "../runs/run-detail/graph-model";
import type { LiveRun } from "./hooks";
import { RunStatus } from "./RunFigures";

interface LiveGraphPanelProps {
  workspaceId: string;
  live: LiveRun;
}

/** The latest run's steps as a graph while they happen, and the step chosen in it. */
export function LiveGraphPanel({ workspaceId, live }: LiveGraphPanelProps) {
  const headingId = useId();
  const { run, steps } = live;
  const [selected, setSelected] = useState<{ runId: string; sequence: number } | null>(null);
  const step =
    run && selected?.runId === run.id
      ? steps.steps.find((candidate) => candidate.sequence === selected.sequence)
      : undefined;
  return (
    <section aria-labelledby={headingId} className="min-w-0 space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id={headingId} className="text-base font-semibold text-white">
          Reasoning
        </h2>
        {run && <RunStatus run={run} />}
        {run && (
          <Link
            to={`/w/${workspaceId}/runs/${run.id}`}
            className="ml-auto text-sm font-medium text-luna-300 hover:text-luna-200"
          >
            Open the full run <span aria-hidden="true">→</span>
          </Link>
        )}
      </div>
      <div
        data-testid="playground-graph"
        data-run-id={run?.id ?? ""}
        data-node-count={steps.steps.length}
        className="glass h-[28rem] min-w-0 overflow-hidden rounded-2xl"
      >
        {steps.steps.length === 0 ? (
          <p className="grid h-full place-items-center px-6 text-center text-sm text-slate-400">
            {run === undefined
              ? "Send a message: the steps of its run show here as they happen."
              : isLive(run)
                ? "The run's steps show here as they happen."
                : "This run recorded no steps."}
          </p>
        ) : (
          <RunGraph
            graph={steps}
            direction="TB"
            upToSequence={null}
            selectedSequence={step?.sequence ?? null}
            currentSequence={null}
            onSelect={(sequence) => {
              if (run) {
                setSelected({ runId: run.id, sequence });
              }
            }}
          />
        )}
      </div>
      {step && (
        <StepPanel
          step={step}
          onClose={() => {
            setSelected(null);
          }}
        />
      )}
    </section>
  );
}
