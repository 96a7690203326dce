import type { NodeProps } from "@xyflow/react";
import { memo } from "react";

import { classNames } from "../../../lib/class-names";
import type { StepFlowNode } from "./graph-layout";
import { NodeHandles } from "./NodeHandles";
import { stepPreview } from "./step-content";
import { STEP_KIND_ACCENTS, STEP_KIND_LABELS, STEP_STATUS_LABELS, statusRing } from "./step-kinds";
import { ConfidenceMeter, StepFigures } from "./StepFigures";

/**
 * A step in the graph: its kind, name and figures. The whole node is a button, so that
 * Enter (or Space) on it clicks it like the mouse does; the graph's node click handler
 * then opens the step in the side panel.
 */
function StepNodeView({ data, selected, sourcePosition, targetPosition }: NodeProps<StepFlowNode>) {
  const { step, current } = data;
  const preview = stepPreview(step);
  return (
    <NodeHandles sourcePosition={sourcePosition} targetPosition={targetPosition}>
      <button
        type="button"
        data-testid="graph-node"
        data-step-id={step.id}
        data-sequence={step.sequence}
        data-kind={step.kind}
        data-status={step.status}
        aria-pressed={selected}
        className={classNames(
          "flex size-full flex-col gap-1.5 rounded-xl border border-l-4 border-white/12 bg-night-raised/95 px-3 py-2 text-left shadow-lg shadow-black/40",
          "transition-colors hover:bg-[#1a1a38] focus-visible:outline-2 focus-visible:outline-halo",
          STEP_KIND_ACCENTS[step.kind],
          statusRing(step),
          selected && "bg-[#1d1b42] outline-2 outline-luna-300",
          current && "ring-4 ring-halo/60",
        )}
      >
        <span className="flex items-center gap-2 text-xs font-semibold">
          <span className="truncate">{STEP_KIND_LABELS[step.kind]}</span>
          <span className="ml-auto shrink-0 font-mono text-[11px] font-normal text-slate-400">
            #{step.sequence}
          </span>
        </span>
        <span className="truncate text-xs text-slate-200">
          {step.name ?? STEP_STATUS_LABELS[step.status] ?? step.status}
          {step.status !== "done" && step.name && (
            <span className="text-slate-400">
              {" "}
              · {STEP_STATUS_LABELS[step.status] ?? step.status}
            </span>
          )}
        </span>
        {preview && (
          <span data-field="preview" className="truncate font-mono text-[11px] text-slate-400">
            {preview}
          </span>
        )}
        <StepFigures step={step} compact />
        <ConfidenceMeter confidence={step.confidence} />
      </button>
    </NodeHandles>
  );
}

export const StepNode = memo(StepNodeView);
